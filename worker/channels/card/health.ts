/**
 * Each card processor's recent health, per isolate and mode: a circuit that opens after a run of
 * failures (a timeout, a 5xx, a network error), so the router skips a processor that is down rather
 * than make every shopper wait out its timeout; after a pause it half-opens and lets one payment
 * try it, whose answer closes the circuit or opens it again. Kept in memory: every isolate learns on
 * its own within a few payments, and a restart forgets nothing that matters.
 */
import { nowMs } from '../../base/clock.ts';

/** Failures in a row that open the circuit. */
export const OPEN_AFTER_FAILURES = 3;
/** How long an open circuit skips the processor before one payment may try it again. */
export const OPEN_FOR_MS = 30_000;

interface Circuit {
  failures: number;
  openedAt: number | null;
  /** While half-open, when the one trial payment went; others wait for its answer. */
  trialAt: number | null;
}

const circuits = new Map<string, Circuit>();

const circuitOf = (key: string): Circuit => {
  let circuit = circuits.get(key);
  if (!circuit) {
    circuit = { failures: 0, openedAt: null, trialAt: null };
    circuits.set(key, circuit);
  }
  return circuit;
};

export type CircuitState = 'closed' | 'open' | 'half_open';

export function circuitState(key: string, at = nowMs()): CircuitState {
  const circuit = circuits.get(key);
  if (!circuit || circuit.openedAt === null) return 'closed';
  if (at - circuit.openedAt < OPEN_FOR_MS) return 'open';
  // A trial whose answer never came (the isolate moved on) frees the way after another pause.
  return circuit.trialAt !== null && at - circuit.trialAt < OPEN_FOR_MS ? 'open' : 'half_open';
}

/** Whether a payment may go to the processor now; a half-open circuit lets this one through as its trial. */
export function mayTry(key: string, at = nowMs()): boolean {
  const state = circuitState(key, at);
  if (state === 'half_open') circuitOf(key).trialAt = at;
  return state !== 'open';
}

export function recordAnswer(key: string, healthy: boolean, at = nowMs()): void {
  const circuit = circuitOf(key);
  if (healthy) {
    circuits.set(key, { failures: 0, openedAt: null, trialAt: null });
    return;
  }
  circuit.failures++;
  circuit.trialAt = null;
  if (circuit.failures >= OPEN_AFTER_FAILURES || circuit.openedAt !== null) circuit.openedAt = at;
}

/** For tests: every circuit closed. */
export function resetCircuits(): void {
  circuits.clear();
}
