/**
 * The card vault: a card the shopper typed becomes, at once, a `card_…` token whose number and
 * expiry are sealed (AES-256-GCM under the master key, bound to merchant, mode and token), a keyed
 * fingerprint, and what may be shown in clear (brand, BIN, last 4, expiry). The CVC is never
 * sealed: it stays in memory, in the `CardForCall` the processor calls of one attempt receive.
 *
 *   TILL_FINGERPRINT_KEY   32 bytes base64url: the HMAC key of card fingerprints
 *
 * Fingerprints are platform-wide (the same card at two merchants has one fingerprint, so a
 * platform list can name it) and must stay stable, so their key is not the rotating master key.
 */
import { brandRule } from '../../../shared/card-brand.ts';
import type { Card } from '../../../shared/card-schema.ts';
import { fromBase64Url, randomBase62, toBase64Url, utf8 } from '../../../shared/encoding.ts';
import type { Mode } from '../../../shared/schemas.ts';
import { promiseCache } from '../../base/promise-cache.ts';
import { type VaultConfig, VaultError, vaultOf } from '../../base/vault.ts';

/** What the vault keeps of a card: everything in clear but the sealed number and expiry. */
export interface VaultedCard {
  token: string;
  fingerprint: string;
  brand: string;
  /** The first six digits (issuer identification), for routing and risk. */
  bin: string;
  last4: string;
  expMonth: number;
  expYear: number;
  /** Number and expiry, sealed; null once erased. */
  sealed: string | null;
}

/** A card as one attempt's processor calls need it: in memory only, never stored or logged. */
export interface CardForCall {
  token: string;
  brand: string;
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
  name: string | undefined;
}

export interface CardBinding {
  merchantId: string;
  mode: Mode;
}

interface CardVaultConfig extends VaultConfig {
  TILL_FINGERPRINT_KEY?: string;
}

const sealContext = (binding: CardBinding, token: string) => `card:${binding.merchantId}:${binding.mode}:${token}`;

const fingerprintKeys = promiseCache<CryptoKey>(2);

function fingerprintKey(config: CardVaultConfig): Promise<CryptoKey> {
  const spec = config.TILL_FINGERPRINT_KEY;
  if (!spec) return Promise.reject(new VaultError('TILL_FINGERPRINT_KEY is not set: see README, "Deploy"'));
  return fingerprintKeys(spec, async () => {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = fromBase64Url(spec.trim());
    } catch {
      throw new VaultError('TILL_FINGERPRINT_KEY is not base64url');
    }
    if (bytes.length !== 32) throw new VaultError(`TILL_FINGERPRINT_KEY must be 32 bytes, got ${bytes.length}`);
    return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  });
}

/** `fp_` and 128 bits of HMAC-SHA-256 over the number: recognisable, never reversible by guessing. */
export async function cardFingerprint(config: CardVaultConfig, number: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await fingerprintKey(config), utf8(`till card:${number}`));
  return `fp_${toBase64Url(new Uint8Array(mac).subarray(0, 16))}`;
}

/** Vaults a card checked by CardSchema; answers what is kept and what the attempt's calls use. */
export async function vaultCard(
  config: CardVaultConfig,
  card: Card,
  binding: CardBinding,
): Promise<{ vaulted: VaultedCard; forCall: CardForCall }> {
  const token = `card_${randomBase62(24)}`;
  const brand = brandRule(card.number).brand ?? 'unknown';
  const secret = JSON.stringify({ number: card.number, exp_month: card.exp_month, exp_year: card.exp_year });
  const [fingerprint, sealed] = await Promise.all([
    cardFingerprint(config, card.number),
    (await vaultOf(config)).seal(secret, sealContext(binding, token)),
  ]);
  return {
    vaulted: {
      token,
      fingerprint,
      brand,
      bin: card.number.slice(0, 6),
      last4: card.number.slice(-4),
      expMonth: card.exp_month,
      expYear: card.exp_year,
      sealed,
    },
    forCall: {
      token,
      brand,
      number: card.number,
      expMonth: card.exp_month,
      expYear: card.exp_year,
      cvc: card.cvc,
      name: card.name,
    },
  };
}

/** Opens a vaulted card's number and expiry (the CVC is gone: a later charge asks for it again). */
export async function openVaultedCard(
  config: CardVaultConfig,
  card: VaultedCard,
  binding: CardBinding,
): Promise<{ number: string; expMonth: number; expYear: number }> {
  if (card.sealed === null) throw new VaultError(`card ${card.token} was erased`);
  const opened = JSON.parse(await (await vaultOf(config)).open(card.sealed, sealContext(binding, card.token))) as {
    number: string;
    exp_month: number;
    exp_year: number;
  };
  return { number: opened.number, expMonth: opened.exp_month, expYear: opened.exp_year };
}
