/**
 * The messages between the checkout frame and the loader (till.js) on the host page, both
 * directions, and the guards each side runs on what it receives. On the wire a message is the
 * object below plus `source`: `till` from the frame, `till-host` from the loader. Apps in a
 * webview receive the same `till` objects (native-bridge.ts), so the wire shape is public.
 */
import type { CardBrand } from '../../shared/card-brand.ts';
import type { NextAction, PaymentMethod } from '../../shared/schemas.ts';

/** `change`: whether the shopper could pay now. Never a digit, a date, a code or a name. */
interface ChangePayload {
  channel: string;
  method: string;
  kind: PaymentMethod['kind'];
  /** Every card field filled in and valid; true for a method that needs nothing typed. */
  complete: boolean;
  empty: boolean;
  brand: CardBrand | null;
  /** The first error the form shows: its message key and the text in the shopper's language. */
  error: { code: string; message: string } | null;
}

/** Frame → host: the events the merchant's page (and app) hears. docs/embedding.md lists them. */
export type CheckoutEvent =
  | { type: 'ready'; payload: { order_id: string; locale: string } }
  | { type: 'change'; payload: ChangePayload }
  | { type: 'method_selected'; payload: { channel: string; method: string } }
  | { type: 'requires_action'; payload: { type: Exclude<NextAction['type'], 'none'> } }
  | { type: 'paid'; payload: { order_id: string; receipt: string | null } }
  | { type: 'authorized'; payload: { order_id: string } }
  | { type: 'failed'; payload: { code: string; message: string } }
  | { type: 'error'; payload: { code: string; message: string } }
  | { type: 'canceled'; payload?: undefined }
  | { type: 'expired'; payload?: undefined };

/** Frame → loader: what the loader carries out in the top window; never shown to the merchant. */
export type LoaderRequest =
  /** The content's height, so the iframe never scrolls or clips. */
  | { type: 'resize'; payload: { height: number } }
  /** A cashier page that refuses to be framed: the whole tab goes there. */
  | { type: 'redirect'; payload: { url: string } }
  /** WeChat's payment sheet, which only the page WeChat shows may ask for. */
  | { type: 'wechat_pay'; payload: { params: Record<string, string> } };

export type FrameMessage = CheckoutEvent | LoaderRequest;

/** Host → frame. */
export type HostMessage =
  /**
   * Every `handle.update` so far, merged, also sent again at each `ready`. The appearance is the
   * merchant's JSON as given: the frame checks it (widget/app/appearance.ts).
   */
  | { type: 'update'; options: { locale?: string; appearance?: unknown } }
  /** WeChat's answer to `wechat_pay`: its raw `err_msg`, absent when the bridge threw. */
  | { type: 'wechat_pay_result'; err_msg?: string };

const FRAME_SOURCE = 'till';
const HOST_SOURCE = 'till-host';

/** A frame message as posted: to the loader, or to an app's native bridge. */
export const wrapForHost = (message: FrameMessage) => ({ source: FRAME_SOURCE, ...message });
/** A host message as posted to the frame. */
export const wrapForFrame = (message: HostMessage) => ({ source: HOST_SOURCE, ...message });

const LOADER_REQUESTS: ReadonlySet<string> = new Set<LoaderRequest['type']>(['resize', 'redirect', 'wechat_pay']);

export const isLoaderRequest = (message: FrameMessage): message is LoaderRequest => LOADER_REQUESTS.has(message.type);

type Received = Pick<MessageEvent, 'source' | 'origin' | 'data'>;

/** A plain object: postMessage clones it into the receiving window, with that window's Object. */
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  (value as object | null)?.constructor === Object;

/** The page a `redirect` may send the whole tab to: http(s) only, never `javascript:` and the like. */
export function redirectUrlOf(payload: Record<string, unknown> | undefined): string | null {
  const url = String(payload?.url);
  return /^https?:\/\//i.test(url) ? url : null;
}

/**
 * What the loader accepts from its frame: only from that frame's window, on the worker's exact
 * origin, in the `till` envelope with a plain-object payload (or none); a resize must carry a
 * height of 0 or more, a redirect an http(s) URL. Anything else is null. Past those checks the
 * frame is ours: an event's payload goes to the merchant as sent, and a type is not checked
 * against the list, so an event of a frame newer than a cached till.js still reaches the page.
 * (One expression, and no list: till.js has 2 KB for everything.)
 */
export function frameMessageOf(event: Received, frame: unknown, workerOrigin: string): FrameMessage | null {
  const data = event.data as Record<string, unknown> | null;
  const payload = data?.payload as Record<string, unknown> | undefined;
  const type = data?.type;
  return event.origin === workerOrigin &&
    event.source === frame &&
    data?.source === FRAME_SOURCE &&
    typeof type === 'string' &&
    (payload === undefined || isPlainObject(payload)) &&
    (type !== 'resize' || (payload?.height as number) >= 0) &&
    (type !== 'redirect' || !!redirectUrlOf(payload))
    ? ({ type, payload } as FrameMessage)
    : null;
}

/**
 * What the frame accepts from the loader: only from the parent window, on the host page's exact
 * origin, in the `till-host` envelope, as one of the host messages. A locale that is no string
 * and an `err_msg` that is no string count as absent.
 */
export function hostMessageOf(event: Received, parent: unknown, hostOrigin: string): HostMessage | null {
  if (event.origin !== hostOrigin || event.source !== parent) return null;
  const data = event.data as Record<string, unknown> | null;
  if (data?.source !== HOST_SOURCE) return null;
  if (data.type === 'update') {
    const options = (isPlainObject(data.options) && data.options) || {};
    const locale = typeof options.locale === 'string' ? options.locale : undefined;
    return { type: 'update', options: { locale, appearance: options.appearance } };
  }
  if (data.type === 'wechat_pay_result') {
    return { type: 'wechat_pay_result', err_msg: typeof data.err_msg === 'string' ? data.err_msg : undefined };
  }
  return null;
}
