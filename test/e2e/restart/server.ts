/**
 * The restart test's own wrangler dev (port 8793 unless TILL_RESTART_PORT), on its own state
 * directory, independent of the shared e2e server; TILL_RESTART_VERBOSE=1 shows wrangler's output.
 */
import { type DevServer, startDevServer } from '../../../scripts/dev-server.ts';

const PORT = Number(process.env.TILL_RESTART_PORT ?? 8793);
export const PERSIST_TO = '.wrangler/restart-state';
const MERCHANT_FILE = `${PERSIST_TO}/merchant.json`;

const servers: DevServer[] = [];
let running: DevServer | undefined;

/** The wrangler dev `start` started last (dead once killed, until started again). */
export function server(): DevServer {
  if (!running) throw new Error('wrangler dev was not started');
  return running;
}

export async function start(): Promise<DevServer> {
  const at = Date.now();
  // TILL_RESTART_VERBOSE=1 shows wrangler's own output (the worker's errors) in the test's.
  const inheritOutput = Boolean(process.env.TILL_RESTART_VERBOSE);
  const started = await startDevServer({
    port: PORT,
    persistTo: PERSIST_TO,
    merchantFile: MERCHANT_FILE,
    inheritOutput,
  });
  console.log(`wrangler dev up in ${((Date.now() - at) / 1000).toFixed(1)} s`);
  servers.push(started);
  running = started;
  return started;
}

/** Kills every wrangler dev `start` started. */
export async function killAll(): Promise<void> {
  for (const started of servers) await started.kill().catch(() => undefined);
}
