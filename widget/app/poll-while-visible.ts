/**
 * Calls `tick` every 1.5 s, slowing to every 5 s after a minute, and not at all while the tab is
 * hidden (nobody is watching, and a phone's battery matters); it catches up as soon as the tab
 * is visible again. Returns a stop function.
 */
const FAST_MS = 1500;
const SLOW_MS = 5000;
const SLOW_AFTER_MS = 60_000;

export function pollWhileVisible(tick: () => Promise<void>): () => void {
  const startedAt = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let stopped = false;

  const schedule = (): void => {
    if (stopped || document.hidden) return;
    timer = setTimeout(run, Date.now() - startedAt > SLOW_AFTER_MS ? SLOW_MS : FAST_MS);
  };

  const run = async (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (stopped || running) return;
    running = true;
    try {
      await tick();
    } catch {
      // A failed poll is retried by the next one; the caller decides what is fatal.
    } finally {
      running = false;
    }
    schedule();
  };

  const onVisibilityChange = (): void => {
    if (document.hidden) {
      clearTimeout(timer);
      timer = undefined;
    } else {
      void run();
    }
  };

  document.addEventListener('visibilitychange', onVisibilityChange);
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisibilityChange);
  };
}
