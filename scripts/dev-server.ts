/**
 * Starts `wrangler dev` offline and seeds the demo merchant. Used by `npm start`, the browser
 * tests and the benchmark, so all three run Till exactly the same way.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ChannelFakes,
  fakeMerchantCredentials,
  pointProcessorWebhooks,
  startChannelFakes,
} from '../test/fakes/channel-fakes.ts';
import { merchantIdForIdempotencyKey } from '../worker/base/ids.ts';
import { ensureDevVars } from './dev-vars.ts';

export interface DevMerchant {
  merchant_id: string;
  publishable_key: string;
  secret_key: string;
  webhook_secret: string;
  /** Signs requests to Till (see README, "Signed requests"); the demo shop itself does not use it. */
  request_signing_secret?: string;
}

export interface DevServer {
  url: string;
  /** The local Alipay and WeChat Pay stand-ins test mode talks to. */
  fakes: ChannelFakes;
  adminKey: string;
  merchant: DevMerchant;
  process: ChildProcess;
  stop(): Promise<void>;
  /**
   * Kills wrangler and its workerd children at once with SIGKILL, as a crash or a power cut
   * would: nothing shuts down or flushes. Resolves once no process of the group is left.
   */
  kill(): Promise<void>;
}

export interface DevServerOptions {
  port: number;
  /** Local state directory (Durable Objects, D1). */
  persistTo?: string;
  /** Where the demo merchant's keys are kept between runs. */
  merchantFile?: string;
  /** Pass wrangler's output through to this process. */
  inheritOutput?: boolean;
  /** Another wrangler config than ./wrangler.toml. */
  configPath?: string;
  /** Worker variables for this run (`--var`), e.g. the benchmark's TILL_RATE_LIMIT_EXEMPT. */
  vars?: Record<string, string>;
}

/**
 * The demo merchant is created under this Idempotency-Key, so a fresh local state always gives it
 * the same id (`demoMerchantId`): the benchmark can exempt it from the rate limits before it exists.
 */
const DEMO_MERCHANT_KEY = 'till-demo-merchant';
export const demoMerchantId = (): Promise<string> => merchantIdForIdempotencyKey(DEMO_MERCHANT_KEY);

export const OFFLINE_ENV = {
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  DO_NOT_TRACK: '1',
};

async function waitForHealth(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`wrangler dev did not answer on ${url} within ${timeoutMs / 1000}s`);
}

async function api<T>(
  url: string,
  key: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: T }> {
  const response = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as T };
}

/** Creates the demo merchant once (kept in merchantFile) and hands its keys to the demo shop. */
export async function seedDemoMerchant(
  url: string,
  adminKey: string,
  merchantFile: string,
  fakes: ChannelFakes,
): Promise<DevMerchant> {
  const webhookUrl = `${url}/demo/webhooks`;
  let merchant: DevMerchant | undefined;
  if (existsSync(merchantFile)) {
    const saved = JSON.parse(readFileSync(merchantFile, 'utf8')) as DevMerchant;
    // Local state may have been wiped while the file stayed: then create a new merchant.
    const updated = await api(url, adminKey, `/v1/admin/merchants/${saved.merchant_id}`, { webhook_url: webhookUrl });
    if (updated.status === 200) merchant = saved;
  }
  if (!merchant) {
    const demo = {
      name: 'Paper & Thread (demo)',
      webhook_url: webhookUrl,
      channels: ['sandbox', 'alipay', 'wechatpay'],
    };
    const create = (headers: Record<string, string>) =>
      api<DevMerchant & { id: string }>(url, adminKey, '/v1/admin/merchants', demo, headers);
    let created = await create({ 'idempotency-key': DEMO_MERCHANT_KEY });
    // The keys file was lost but the state kept the merchant (its keys are shown once): make another.
    if (created.status === 409) created = await create({});
    if (created.status !== 201) throw new Error(`could not create the demo merchant: ${JSON.stringify(created.json)}`);
    const { id, publishable_key, secret_key, webhook_secret, request_signing_secret } = created.json;
    merchant = { merchant_id: id, publishable_key, secret_key, webhook_secret, request_signing_secret };
    mkdirSync(dirname(merchantFile), { recursive: true });
    writeFileSync(merchantFile, `${JSON.stringify(merchant, null, 2)}\n`, { mode: 0o600 });
  }
  const { merchant_id, publishable_key, secret_key, webhook_secret } = merchant;
  // Test mode talks to the local fakes, as the demo merchant's own Alipay app, WeChat Pay account,
  // and Stripe and Adyen accounts (cards go to Stripe, then Adyen: Till's default routing).
  for (const [channel, credentials] of Object.entries(fakeMerchantCredentials())) {
    const configured = await api(url, adminKey, `/v1/admin/merchants/${merchant_id}/channels/${channel}`, {
      enabled: true,
      mode: 'test',
      credentials,
    });
    if (configured.status !== 200)
      throw new Error(`could not configure ${channel} for the demo merchant: ${JSON.stringify(configured.json)}`);
  }
  await pointProcessorWebhooks(fakes, url);
  const setup = await api(url, adminKey, '/demo/setup', { merchant_id, publishable_key, secret_key, webhook_secret });
  if (setup.status !== 200) throw new Error(`could not configure the demo shop: ${JSON.stringify(setup.json)}`);
  return merchant;
}

/** Creates or updates the local D1 orders index (idempotent: applied migrations are skipped). */
function applyMigrations(persistTo: string | undefined, configPath: string | undefined): void {
  const args = ['wrangler', 'd1', 'migrations', 'apply', 'till', '--local'];
  if (configPath) args.push('--config', configPath);
  if (persistTo) args.push('--persist-to', persistTo);
  const result = spawnSync('npx', args, { env: { ...process.env, ...OFFLINE_ENV, CI: 'true' }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`applying D1 migrations failed:\n${result.stdout}\n${result.stderr}`);
}

/** Whether a process of the group still runs; zombies (dead, not yet reaped) do not count. */
function groupAlive(pgid: number): boolean {
  if (existsSync('/proc/self/stat')) {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so split after the last ')'.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
    }
    return false;
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const { vars } = await ensureDevVars();
  const adminKey = vars.TILL_ADMIN_KEY ?? '';
  const url = `http://localhost:${options.port}`;
  applyMigrations(options.persistTo, options.configPath);
  const fakes = await startChannelFakes();
  const args = ['wrangler', 'dev', '--port', String(options.port), '--ip', '127.0.0.1', '--log-level', 'warn'];
  for (const [name, value] of Object.entries({ ...fakes.vars, ...options.vars }))
    args.push('--var', `${name}:${value}`);
  if (options.persistTo) args.push('--persist-to', options.persistTo);
  if (options.configPath) args.push('--config', options.configPath);
  const child = spawn('npx', args, {
    env: { ...process.env, ...OFFLINE_ENV },
    stdio: options.inheritOutput ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const stop = async () => {
    await fakes.close();
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const kill = async () => {
    await fakes.close();
    if (child.pid === undefined) return;
    const pgid = child.pid;
    const exited =
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      return; // the group is gone already
    }
    await exited;
    // workerd is a grandchild: wait until it is gone too, so its port and storage are free.
    const deadline = Date.now() + 10_000;
    while (groupAlive(pgid)) {
      if (Date.now() > deadline) throw new Error(`process group ${pgid} still alive 10 s after SIGKILL`);
      await sleep(50);
    }
  };
  try {
    await waitForHealth(url, child);
    const merchant = await seedDemoMerchant(url, adminKey, options.merchantFile ?? '.till/dev-merchant.json', fakes);
    return { url, adminKey, fakes, merchant, process: child, stop, kill };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- wrangler output ---\n${output}`);
  }
}
