/**
 * API key format: `sk_test_<merchant>_<secret>` / `pk_test_…`. The merchant part routes the key
 * to its merchant object without any shared lookup table; the secret part is what is hashed.
 */
import { randomBase62, sha256Hex } from '../../shared/encoding.ts';
import type { Mode } from '../../shared/schemas.ts';

const KEY = /^(sk|pk)_(test|live)_([0-9A-Za-z]{16})_([0-9A-Za-z]{32})$/;

export type KeyKind = 'secret' | 'publishable';

export interface ParsedKey {
  kind: KeyKind;
  mode: Mode;
  merchantId: string;
}

export function parseApiKey(key: string): ParsedKey | null {
  const match = KEY.exec(key);
  if (!match) return null;
  const [, prefix, mode, merchant] = match;
  return { kind: prefix === 'sk' ? 'secret' : 'publishable', mode: mode as Mode, merchantId: `mer_${merchant}` };
}

export function newApiKey(kind: KeyKind, mode: Mode, merchantId: string): string {
  return `${kind === 'secret' ? 'sk' : 'pk'}_${mode}_${merchantId.slice(4)}_${randomBase62(32)}`;
}

export const newWebhookSecret = (): string => `whsec_${randomBase62(32)}`;

export const hashApiKey = (key: string): Promise<string> => sha256Hex(`till-api-key:${key}`);

/** What logs and the dashboard may show of a key. */
export const keyPrefix = (key: string): string => `${key.slice(0, 12)}…`;
