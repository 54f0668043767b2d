/**
 * Adyen's standard webhook: a batch `{live, notificationItems: [{NotificationRequestItem}]}` posted
 * to one endpoint per account (`/v1/channels/adyen/events`). Each item is signed in
 * `additionalData.hmacSignature`: base64 HMAC-SHA256, under the hex-decoded key, of
 * `pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success`
 * (a missing field is empty). Only those fields are signed, so Till reads nothing else that matters
 * (see references.ts). Adyen sends one item per batch; should a batch hold more, the first is
 * applied and the others logged, since the batch is acknowledged as a whole.
 */
import { fromBase64, fromHex, utf8 } from '../../../shared/encoding.ts';
import { TillError } from '../../../shared/errors.ts';

export interface NotificationItem {
  pspReference?: string;
  originalReference?: string;
  merchantAccountCode?: string;
  merchantReference?: string;
  amount?: { value?: number; currency?: string };
  eventCode?: string;
  success?: string;
  reason?: string;
  additionalData?: Record<string, string>;
}

interface Batch {
  live: string;
  items: NotificationItem[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The batch's items, or null when the body is no Adyen webhook. */
function readBatch(body: string): Batch | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (!isObject(parsed) || !Array.isArray(parsed.notificationItems)) return null;
  const items = parsed.notificationItems
    .map((entry: unknown) => (isObject(entry) ? entry.NotificationRequestItem : undefined))
    .filter(isObject) as NotificationItem[];
  return items.length > 0 ? { live: String(parsed.live), items } : null;
}

/** The item Till acts on (unverified), or null. */
export function firstItem(body: string): NotificationItem | null {
  return readBatch(body)?.items[0] ?? null;
}

const signedText = (item: NotificationItem): string =>
  [
    item.pspReference,
    item.originalReference,
    item.merchantAccountCode,
    item.merchantReference,
    item.amount?.value,
    item.amount?.currency,
    item.eventCode,
    item.success,
  ]
    .map((field) => (field === undefined || field === null ? '' : String(field)))
    .join(':');

/** Checks the first item's signature (WebCrypto's verify compares in constant time) and answers it. */
export async function verifiedItem(body: string, hmacKey: string, live: boolean): Promise<NotificationItem> {
  const batch = readBatch(body);
  if (!batch) throw new TillError('invalid_json', 'Adyen webhook is not a batch of notification items');
  const [item, ...others] = batch.items as [NotificationItem, ...NotificationItem[]];
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = fromBase64(item.additionalData?.hmacSignature ?? '');
  } catch {
    throw new TillError('invalid_signature', 'Adyen webhook item has no HMAC signature');
  }
  const key = await crypto.subtle.importKey(
    'raw',
    fromHex(hmacKey.toLowerCase()),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  if (!(await crypto.subtle.verify('HMAC', key, signature, utf8(signedText(item))))) {
    throw new TillError('invalid_signature', 'Adyen webhook item: the HMAC signature does not match');
  }
  if ((batch.live === 'true') !== live) {
    throw new TillError('invalid_parameter', `Adyen webhook from its ${live ? 'test' : 'live'} platform`, 'live');
  }
  if (others.length > 0) {
    console.warn('adyen webhook batch holds more than one item: only the first is applied', {
      applied: item.pspReference,
      left: others.map((other) => `${other.eventCode}:${other.pspReference}`),
    });
  }
  return item;
}
