/**
 * Lets code inside this worker (a Durable Object standing in for a remote party, like the
 * sandbox processor) call the worker's own HTTP routes without leaving the process, so a
 * simulated notification takes exactly the route a real one takes.
 */
import type { Env } from './env.ts';

export async function dispatchToSelf(request: Request, env: Env): Promise<Response> {
  // Imported lazily: the app imports the Durable Objects that call this.
  const { app } = await import('./app.ts');
  return app.fetch(request, env);
}
