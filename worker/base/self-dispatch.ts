/**
 * Lets code inside this worker (a Durable Object standing in for a remote party, like the
 * sandbox processor, or the demo shop's server) call the worker's own HTTP routes without leaving
 * the process, so a simulated notification takes exactly the route a real one takes.
 *
 * The entry module hands the app over at start-up (`serveSelfWith`): the layers below the HTTP
 * edge never import it, so the module graph keeps no cycle through the app.
 */
import type { Env } from './env.ts';

type FetchHandler = (request: Request, env: Env) => Response | Promise<Response>;

let handler: FetchHandler | null = null;

/** Called once by the entry module with the app's fetch. */
export function serveSelfWith(fetch: FetchHandler): void {
  handler = fetch;
}

export async function dispatchToSelf(request: Request, env: Env): Promise<Response> {
  if (!handler) throw new Error('the worker entry has not registered its app (serveSelfWith)');
  return handler(request, env);
}
