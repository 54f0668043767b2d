/**
 * How a card processor's call went wrong, in the router's terms: down (timeout, 5xx, network error,
 * rate limit) — another processor may take the card, once this one is known to hold no
 * authorization — or refused for good (bad credentials, a request it will never take).
 */
import { TillError } from '../../../shared/errors.ts';

export class ProcessorUnavailable extends TillError {
  override name = 'ProcessorUnavailable';
  /** The request may have reached the processor and run (a timeout, a lost connection): ask before moving on. */
  readonly mayHaveRun: boolean;

  constructor(processor: string, reason: string, mayHaveRun: boolean) {
    super('channel_error', `${processor} is unavailable: ${reason}`);
    this.mayHaveRun = mayHaveRun;
  }
}

/**
 * A processor's answer with an error status, its error body kept for the adapter to read (decline
 * codes, refusals). The summary names codes and messages only: processors never put card data there.
 */
export class ProcessorApiError<Body> extends TillError {
  readonly httpStatus: number;
  readonly error: Body;

  constructor(processor: string, httpStatus: number, error: Body, summary: string) {
    super('channel_error', `${processor} answered ${httpStatus} ${summary.slice(0, 240)}`);
    this.httpStatus = httpStatus;
    this.error = error;
  }
}

/** Processors answer within seconds; past this the shopper is better served by the next processor. */
export const DEFAULT_PROCESSOR_TIMEOUT_MS = 15_000;

/** The deployment's timeout for processor calls (TILL_PROCESSOR_TIMEOUT_MS), or the default. */
export function processorTimeoutMs(setting: string | undefined): number {
  const value = Number(setting);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_PROCESSOR_TIMEOUT_MS;
}

/**
 * Sends one request to a processor: a timeout, a network error, a 5xx or a 429 is the processor
 * being unavailable (with whether the request may have run); any other answer is returned, its
 * JSON body parsed (a body that is not JSON is the processor's fault: `channel_error`).
 */
export async function callProcessor(
  processor: string,
  request: Request,
  timeoutMs: number,
): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(request, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    // A refused connection never reached it; a timeout may have run to the end there.
    throw new ProcessorUnavailable(processor, timedOut ? `no answer within ${timeoutMs} ms` : 'network error', true);
  }
  const text = await response.text();
  // A processor that answers 5xx or 429 reports that the request failed, and Till takes it at its
  // word: the next processor may go ahead. A timeout or a lost connection says nothing, so the
  // router asks first (docs/decisions.md, "Card failover").
  if (response.status >= 500 || response.status === 429) {
    throw new ProcessorUnavailable(processor, `HTTP ${response.status}`, false);
  }
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new TillError('channel_error', `${processor} answered ${response.status} with a body that is not JSON`);
  }
}
