import { describe, expect, it } from 'vitest';
import { WORKER_BUDGET, workerBundle } from '../../scripts/worker-size.ts';

describe('worker size budget (gzip)', () => {
  it(`keeps the worker wrangler uploads within ${WORKER_BUDGET} B`, { timeout: 120_000 }, () => {
    const bundle = workerBundle();
    // A bundle this small would be a broken build, not a lean one.
    expect(bundle.gzip).toBeGreaterThan(100 * 1024);
    expect(bundle.gzip).toBeLessThanOrEqual(WORKER_BUDGET);
  });
});
