/**
 * The worker as Cloudflare receives it: wrangler's own bundle (`deploy --dry-run --minify`), its
 * gzip size, and the CPU its isolate spends starting (`wrangler check startup`, a local profile).
 * Shared by the size-budget test and the benchmark.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The worker's gzip budget: what an upload and every cold isolate carry. */
export const WORKER_BUDGET = 240 * 1024;

const OFFLINE = {
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  DO_NOT_TRACK: '1',
};

function wrangler(args: string[]): string {
  const result = spawnSync('npx', ['wrangler', ...args], { env: { ...process.env, ...OFFLINE }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`wrangler ${args[0]} failed:\n${result.stdout}\n${result.stderr}`);
  return `${result.stdout}\n${result.stderr}`;
}

/** Bundles the worker as `wrangler deploy` would (dist/widget must exist) and answers its sizes. */
export function workerBundle(): { bytes: number; gzip: number } {
  const dir = mkdtempSync(join(tmpdir(), 'till-worker-'));
  try {
    wrangler(['deploy', '--dry-run', '--minify', '--outdir', dir]);
    const code = readFileSync(join(dir, 'index.js'));
    return { bytes: code.length, gzip: gzipSync(code, { level: 9 }).length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The CPU an isolate spends evaluating the worker before its first request, in ms (one local profile). */
export function workerStartup(): number {
  const dir = mkdtempSync(join(tmpdir(), 'till-startup-'));
  try {
    const output = wrangler(['check', 'startup', '--outfile', join(dir, 'startup.cpuprofile')]);
    const active = /Active: ([\d.]+) ms/.exec(output);
    if (!active?.[1]) throw new Error(`wrangler check startup printed no active time:\n${output}`);
    return Number(active[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
