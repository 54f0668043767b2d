import type { D1Migration } from 'cloudflare:test';
import type { Env as TillEnv } from '../../worker/base/env.ts';

declare global {
  namespace Cloudflare {
    interface Env extends TillEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** Runs per operation and seed for test/worker/fuzz/; empty for the bounded defaults. */
      TILL_FUZZ_RUNS: string;
      TILL_FUZZ_SEED: string;
    }
  }
}
