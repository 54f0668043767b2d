import type { Env as TillEnv } from '../../worker/env.ts';

declare global {
  namespace Cloudflare {
    interface Env extends TillEnv {}
  }
}
