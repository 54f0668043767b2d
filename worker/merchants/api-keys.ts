/**
 * API key format: `sk_test_<merchant>_<secret>`, `rk_…` (restricted, read-only), `pk_…`
 * (publishable). The merchant part routes the key to its merchant object without any shared
 * lookup table; only a hash of the whole key is stored.
 */
import { randomBase62, sha256Hex } from '../../shared/encoding.ts';
import type { ApiKeyKind, Mode } from '../../shared/schemas.ts';

const KEY = /^(sk|rk|pk)_(test|live)_([0-9A-Za-z]{16})_([0-9A-Za-z]{32})$/;

const PREFIX_OF_KIND = { secret: 'sk', restricted: 'rk', publishable: 'pk' } as const satisfies Record<
  ApiKeyKind,
  string
>;
const KIND_OF_PREFIX = { sk: 'secret', rk: 'restricted', pk: 'publishable' } as const;

export interface ParsedKey {
  kind: ApiKeyKind;
  mode: Mode;
  merchantId: string;
}

export function parseApiKey(key: string): ParsedKey | null {
  const match = KEY.exec(key);
  if (!match) return null;
  const [, prefix, mode, merchant] = match;
  return {
    kind: KIND_OF_PREFIX[prefix as keyof typeof KIND_OF_PREFIX],
    mode: mode as Mode,
    merchantId: `mer_${merchant}`,
  };
}

export function newApiKey(kind: ApiKeyKind, mode: Mode, merchantId: string): string {
  return `${PREFIX_OF_KIND[kind]}_${mode}_${merchantId.slice(4)}_${randomBase62(32)}`;
}

export const newKeyId = (): string => `key_${randomBase62(20)}`;
export const newWebhookSecret = (): string => `whsec_${randomBase62(32)}`;
export const newRequestSigningSecret = (): string => `rssec_${randomBase62(32)}`;

export const hashApiKey = (key: string): Promise<string> => sha256Hex(`till-api-key:${key}`);

/** What logs and the API may show of a key: its kind, mode and the first secret characters. */
export const keyPrefix = (key: string): string => `${key.slice(0, 8)}…${key.slice(-4)}`;
