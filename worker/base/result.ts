/**
 * Durable Object RPC keeps an error's message but not its fields, so objects answer with a
 * Result and the worker turns a failure back into the one TillError.
 */
import { type ErrorCode, TillError } from '../../shared/errors.ts';

export interface Failed {
  ok: false;
  error: { code: ErrorCode; message: string; param?: string };
}
export type Result<T> = { ok: true; value: T } | Failed;

/** Runs `work` and answers its value, or the TillError it threw; anything else propagates. */
export async function asResult<T>(work: () => T | Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (!(error instanceof TillError)) throw error;
    const failure: Failed['error'] = { code: error.code, message: error.message };
    if (error.param !== undefined) failure.param = error.param;
    return { ok: false, error: failure };
  }
}

export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new TillError(result.error.code, result.error.message, result.error.param);
}

/** A failure answered without throwing. */
export function failed(code: ErrorCode, message: string, param?: string): Failed {
  return { ok: false, error: param === undefined ? { code, message } : { code, message, param } };
}
