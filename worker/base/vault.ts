/**
 * Secrets at rest: channel credentials and merchant signing secrets are sealed with AES-256-GCM
 * under a master key from a Worker secret. Each sealed value names its master key, so the key can
 * rotate: new values use the current key, old ones open with a previous key until re-encrypted.
 *
 *   TILL_MASTER_KEY            "<key id>:<32 bytes base64url>"   seals and opens
 *   TILL_PREVIOUS_MASTER_KEYS  "<key id>:<…>,<key id>:<…>"       open only
 *
 * The associated data binds a value to where it is stored (merchant and field), so a sealed value
 * copied into another merchant's row does not open.
 */

import { fromBase64Url, fromUtf8, toBase64Url, toHex, utf8 } from '../../shared/encoding.ts';
import { promiseCache } from './promise-cache.ts';

const FORMAT = 'tv1';
const KEY_ID = /^[0-9A-Za-z_-]{1,32}$/;
const SEALED = /^tv1\.([0-9A-Za-z_-]{1,32})\.([0-9A-Za-z_-]{16})\.([0-9A-Za-z_-]+)$/;

export class VaultError extends Error {
  override name = 'VaultError';
}

export interface VaultConfig {
  TILL_MASTER_KEY?: string;
  TILL_PREVIOUS_MASTER_KEYS?: string;
}

interface MasterKey {
  id: string;
  key: CryptoKey;
  /** The same 32 bytes as an HMAC key, from which each purpose's digest key is derived. */
  derivation: CryptoKey;
}

const HMAC = { name: 'HMAC', hash: 'SHA-256' } as const;

async function importMasterKey(spec: string, origin: string): Promise<MasterKey> {
  const colon = spec.indexOf(':');
  const id = spec.slice(0, colon).trim();
  const material = spec.slice(colon + 1).trim();
  if (colon < 1 || !KEY_ID.test(id)) throw new VaultError(`${origin} must look like "<key id>:<32 bytes base64url>"`);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64Url(material);
  } catch {
    throw new VaultError(`${origin} key ${id} is not base64url`);
  }
  if (bytes.length !== 32) throw new VaultError(`${origin} key ${id} must be 32 bytes, got ${bytes.length}`);
  return {
    id,
    key: await crypto.subtle.importKey('raw', bytes, 'AES-GCM', false, ['encrypt', 'decrypt']),
    derivation: await crypto.subtle.importKey('raw', bytes, HMAC, false, ['sign']),
  };
}

export class Vault {
  private readonly current: MasterKey;
  private readonly byId: Map<string, MasterKey>;
  /** Digest keys by purpose and master key id, derived on first use. */
  private readonly digestKeys = new Map<string, Promise<CryptoKey>>();

  private constructor(current: MasterKey, all: MasterKey[]) {
    this.current = current;
    this.byId = new Map(all.map((key) => [key.id, key]));
  }

  static async fromEnv(env: VaultConfig): Promise<Vault> {
    if (!env.TILL_MASTER_KEY) throw new VaultError('TILL_MASTER_KEY is not set: see README, "Deploy"');
    const current = await importMasterKey(env.TILL_MASTER_KEY, 'TILL_MASTER_KEY');
    const previous = await Promise.all(
      (env.TILL_PREVIOUS_MASTER_KEYS ?? '')
        .split(',')
        .filter((spec) => spec.trim() !== '')
        .map((spec) => importMasterKey(spec, 'TILL_PREVIOUS_MASTER_KEYS')),
    );
    return new Vault(current, [...previous, current]);
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  async seal(plaintext: string, context: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: utf8(`${FORMAT}:${this.current.id}:${context}`) },
      this.current.key,
      utf8(plaintext),
    );
    return `${FORMAT}.${this.current.id}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
  }

  async open(sealed: string, context: string): Promise<string> {
    const match = SEALED.exec(sealed);
    if (!match) throw new VaultError('not a sealed value');
    const [, keyId = '', iv = '', body = ''] = match;
    const master = this.byId.get(keyId);
    if (!master) throw new VaultError(`sealed under master key ${keyId}, which is not configured`);
    try {
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromBase64Url(iv), additionalData: utf8(`${FORMAT}:${keyId}:${context}`) },
        master.key,
        fromBase64Url(body),
      );
      return fromUtf8(new Uint8Array(plain));
    } catch {
      throw new VaultError('sealed value does not open: wrong key, wrong place or tampered');
    }
  }

  /**
   * Keyed digests (HMAC-SHA-256) of `text` for one purpose, `<key id>.<hex>`: one per configured
   * master key, the current key's first. A digest is no hash anyone can recompute by guessing the
   * text (a request body holding a card number has little entropy); one stored under a retired key
   * still matches while that key stays in TILL_PREVIOUS_MASTER_KEYS, so rotation needs no migration.
   */
  async digests(purpose: string, text: string | Uint8Array<ArrayBuffer>): Promise<string[]> {
    const data = typeof text === 'string' ? utf8(text) : text;
    const keys = [this.current, ...[...this.byId.values()].filter((key) => key !== this.current)];
    return Promise.all(
      keys.map(async (master) => {
        const mac = await crypto.subtle.sign('HMAC', await this.digestKey(master, purpose), data);
        return `${master.id}.${toHex(new Uint8Array(mac))}`;
      }),
    );
  }

  /** A key per purpose, so a digest made for one use can never stand in for another's. */
  private digestKey(master: MasterKey, purpose: string): Promise<CryptoKey> {
    const id = `${master.id}:${purpose}`;
    let key = this.digestKeys.get(id);
    if (!key) {
      key = crypto.subtle
        .sign('HMAC', master.derivation, utf8(`till digest key:${purpose}`))
        .then((bytes) => crypto.subtle.importKey('raw', bytes, HMAC, false, ['sign']));
      this.digestKeys.set(id, key);
    }
    return key;
  }

  /** The id of the master key a sealed value was sealed under. */
  static keyIdOf(sealed: string): string | null {
    return SEALED.exec(sealed)?.[1] ?? null;
  }

  /** Opens with whatever key sealed it and seals again under the current key. */
  async reseal(sealed: string, context: string): Promise<string> {
    if (Vault.keyIdOf(sealed) === this.current.id) return sealed;
    return this.seal(await this.open(sealed, context), context);
  }
}

const vaults = promiseCache<Vault>(4);

/** The vault for these settings, made once per isolate (importing keys costs more than using them). */
export const vaultOf = (env: VaultConfig): Promise<Vault> =>
  vaults(`${env.TILL_MASTER_KEY ?? ''}|${env.TILL_PREVIOUS_MASTER_KEYS ?? ''}`, () => Vault.fromEnv(env));

/** A fresh master key spec for configuration (`npm start` and the rotation command use it). */
export function newMasterKeySpec(id: string): string {
  if (!KEY_ID.test(id)) throw new VaultError('key id must be 1 to 32 characters of A-Z, a-z, 0-9, _ or -');
  return `${id}:${toBase64Url(crypto.getRandomValues(new Uint8Array(32)))}`;
}
