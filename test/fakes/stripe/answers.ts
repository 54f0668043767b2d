/** What an API operation answers, and Stripe's error envelope `{error:{type, code, message, param, doc_url}}`. */
import type { Account, StripeFakeState } from './account.ts';
import type { RequestContext } from './events.ts';
import { docUrl } from './objects.ts';

export interface Answer {
  status: number;
  body: unknown;
}

/** Where an operation runs: the fake, the caller's account, the fake's own origin and the API request. */
export interface OperationContext {
  state: StripeFakeState;
  account: Account;
  origin: string;
  request: RequestContext;
}

export const ok = (body: unknown): Answer => ({ status: 200, body });

export function invalidRequest(message: string, options: { param?: string; code?: string; status?: number } = {}) {
  const { param, code, status = 400 } = options;
  return {
    status,
    body: {
      error: {
        type: 'invalid_request_error',
        message,
        ...(code ? { code, doc_url: docUrl(code) } : {}),
        ...(param ? { param } : {}),
      },
    },
  } satisfies Answer;
}

export const noSuch = (kind: string, id: string, param = 'id', status = 404): Answer =>
  invalidRequest(`No such ${kind}: '${id}'`, { param, code: 'resource_missing', status });

export const unexpectedState = (message: string): Answer =>
  invalidRequest(message, { code: 'payment_intent_unexpected_state' });

export const apiError = (): Answer => ({
  status: 500,
  body: {
    error: {
      type: 'api_error',
      message: 'An unknown error occurred (a test fault of the Stripe fake).',
    },
  },
});
