/**
 * One request to the API: authenticated, signed when configured, retried with backoff when
 * another try is safe, and its answer parsed with the API's own zod schema.
 */
import { z } from 'zod';
import { REQUEST_SIGNATURE_HEADER, signRequest } from '../shared/request-signature.ts';
import { TillApiError, TillConnectionError } from './errors.ts';
import type { ResolvedOptions } from './options.ts';
import { backoffMs, isRetryableStatus, MAX_RETRY_AFTER_MS, retryAfterMs } from './retry.ts';

export interface RequestOptions {
  /** For POSTs: the key that makes the request safe to repeat. A random UUID when not given. */
  idempotencyKey?: string;
}

export interface ApiRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under the base URL, its dynamic parts already encoded, e.g. `/v1/orders/ord_…`. */
  path: string;
  /** `?…` from `encodeQuery`, or empty. */
  query?: string;
  /** JSON-serialised as sent; a POST without one has an empty body. */
  body?: unknown;
  idempotencyKey?: string | undefined;
  /** False for public endpoints (the JWKS): no key, no signature. */
  authenticated?: boolean;
}

const EnvelopeSchema = z.object({
  error: z.object({
    type: z.string(),
    code: z.string(),
    message: z.string(),
    param: z.string().optional(),
    request_id: z.string().optional(),
  }),
});

interface Answer {
  response: Response;
  text: string;
}

class TryFailure {
  readonly cause: unknown;
  readonly timedOut: boolean;
  constructor(cause: unknown, timedOut: boolean) {
    this.cause = cause;
    this.timedOut = timedOut;
  }
}

export class HttpClient {
  readonly options: ResolvedOptions;

  constructor(options: ResolvedOptions) {
    this.options = options;
  }

  async request<S extends z.ZodType>(request: ApiRequest, schema: S): Promise<z.output<S>> {
    const { options } = this;
    const url = new URL(`${options.baseUrl}${request.path}${request.query ?? ''}`);
    // What is signed is exactly what is sent: the URL as fetch will serialise it.
    const pathWithQuery = `${url.pathname}${url.search}`;
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const idempotencyKey = request.method === 'POST' ? (request.idempotencyKey ?? crypto.randomUUID()) : undefined;

    for (let retry = 0; ; retry++) {
      const headers = await this.headers(request, pathWithQuery, body, idempotencyKey);
      const init: RequestInit = { method: request.method, headers };
      if (body !== undefined) init.body = body;

      let answer: Answer;
      try {
        answer = await this.tryOnce(url.href, init);
      } catch (failure) {
        if (!(failure instanceof TryFailure)) throw failure;
        if (retry < options.maxRetries) {
          await options.sleep(backoffMs(retry));
          continue;
        }
        const tries = retry + 1;
        const message = failure.timedOut
          ? `Till did not answer ${request.method} ${url.pathname} ` +
            `within ${options.timeoutMs} ms (${tries} ${tries === 1 ? 'try' : 'tries'})`
          : `Could not reach Till for ${request.method} ${url.pathname} ` +
            `(${tries} ${tries === 1 ? 'try' : 'tries'}): ${describe(failure.cause)}`;
        throw new TillConnectionError(message, { cause: failure.cause, timedOut: failure.timedOut });
      }

      const { response, text } = answer;
      if (response.ok) return parseAnswer(schema, request, url, answer);
      const error = errorFromAnswer(response, text);
      if (retry < options.maxRetries && isRetryableStatus(response.status, error.code)) {
        const retryAfter = retryAfterMs(response.headers.get('retry-after'), options.now());
        if (retryAfter === null || retryAfter <= MAX_RETRY_AFTER_MS) {
          await options.sleep(retryAfter ?? backoffMs(retry));
          continue;
        }
      }
      throw error;
    }
  }

  private async headers(
    request: ApiRequest,
    pathWithQuery: string,
    body: string | undefined,
    idempotencyKey: string | undefined,
  ): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    if (request.authenticated === false) return headers;
    headers.authorization = `Bearer ${this.options.secretKey}`;
    if (this.options.signing) {
      // A fresh timestamp and nonce on every try: the server refuses a nonce it has seen.
      headers[REQUEST_SIGNATURE_HEADER] = await signRequest(
        { method: request.method, pathWithQuery, body: body ?? '' },
        this.options.signing,
        { timestamp: Math.floor(this.options.now() / 1000) },
      );
    }
    return headers;
  }

  /** One try, bounded by the timeout from sending to the last byte of the body. */
  private async tryOnce(url: string, init: RequestInit): Promise<Answer> {
    const controller = new AbortController();
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
        reject(new Error('timed out'));
      }, this.options.timeoutMs);
    });
    const work = (async () => {
      const response = await this.options.fetch(url, { ...init, signal: controller.signal });
      return { response, text: await response.text() };
    })();
    work.catch(() => undefined); // it may fail after the deadline won the race
    try {
      return await Promise.race([work, deadline]);
    } catch (cause) {
      throw new TryFailure(cause, timedOut);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}

function parseAnswer<S extends z.ZodType>(schema: S, request: ApiRequest, url: URL, answer: Answer): z.output<S> {
  const requestId = answer.response.headers.get('request-id') ?? undefined;
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new TillApiError({
    status: answer.response.status,
    type: 'api_error',
    code: 'invalid_response',
    message:
      `Till answered ${request.method} ${url.pathname} with a body ` +
      `the SDK does not accept${where}: ${issue?.message ?? 'not JSON'}`,
    requestId,
  });
}

function errorFromAnswer(response: Response, text: string): TillApiError {
  const headerRequestId = response.headers.get('request-id') ?? undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const envelope = EnvelopeSchema.safeParse(json);
  if (envelope.success) {
    const { type, code, message, param, request_id } = envelope.data.error;
    return new TillApiError({
      status: response.status,
      type,
      code,
      message,
      param,
      requestId: request_id ?? headerRequestId,
    });
  }
  return new TillApiError({
    status: response.status,
    type: 'api_error',
    code: 'invalid_response',
    message: `Till answered with HTTP ${response.status} and no error envelope`,
    requestId: headerRequestId,
  });
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
