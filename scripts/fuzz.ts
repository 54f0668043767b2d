/**
 * `npm run fuzz -- [--runs N] [--seed S]`: the OpenAPI fuzzer (test/worker/fuzz/) for longer
 * than the bounded run in `npm test`. N is the number of requests per operation; S reproduces a
 * run whose failure printed it. Both reach the test through vitest.config.ts's bindings.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { runs: { type: 'string' }, seed: { type: 'string' } },
  strict: true,
});

for (const [name, value] of Object.entries(values)) {
  if (value !== undefined && !/^-?\d+$/.test(value)) {
    console.error(`--${name} must be an integer, not ${value}`);
    process.exit(2);
  }
}

const result = spawnSync('npx', ['vitest', 'run', '--project', 'worker', 'test/worker/fuzz/'], {
  stdio: 'inherit',
  env: { ...process.env, TILL_FUZZ_RUNS: values.runs ?? '', TILL_FUZZ_SEED: values.seed ?? '' },
});
process.exit(result.status ?? 1);
