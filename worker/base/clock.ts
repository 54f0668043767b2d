/**
 * Till's one clock: everything in the worker that reads the time reads it here.
 *
 * Tests move it with `advanceClock`. The worker tests run in the vitest workers pool, where the
 * Durable Objects live in the test's isolate and share its module graph, so a test that imports
 * this module moves time for the order, merchant and processor objects at once (test/worker/clock.test.ts
 * proves it). Production never moves it: the offset stays 0 and `nowMs()` is `Date.now()`.
 *
 * Under a moved clock, alarms the objects set lie in the real future: they do not fire on their
 * own, and the test runs them (`runDurableObjectAlarm`) as the platform would once their time came.
 * The clock reads `Date.now()`, so tests that need the test's own code on the moved time too (the
 * webhook tests verify signatures at it) may fake `Date` instead (vi.useFakeTimers({ toFake: ['Date'] })).
 */

let offsetMs = 0;

/** Milliseconds since the epoch. */
export const nowMs = (): number => Date.now() + offsetMs;

/** Unix seconds: what Till stores, signs and compares. */
export const now = (): number => Math.floor(nowMs() / 1000);

/** For tests: time passes by `seconds` for the whole worker. Never backwards, as real time never goes. */
export function advanceClock(seconds: number): void {
  if (!(seconds >= 0)) throw new RangeError('the clock only moves forward');
  offsetMs += seconds * 1000;
}

/** For tests: back to the platform's time, between tests. */
export function resetClock(): void {
  offsetMs = 0;
}
