/**
 * Fuzzes every operation of the OpenAPI document (`GET /v1/openapi.json`), read at run time, so a
 * route added to the table is fuzzed without touching this file.
 *
 * Covers, for each operation: path parameters, query parameters (deepObject `metadata[…]`,
 * bracketed `created[gt]`, duplicates, unknown names, malformed percent-encoding), the
 * Authorization header (every security scheme, other kinds and modes of key, the other
 * merchant's keys, other orders' client tokens, garbage), Idempotency-Key (fresh, reused,
 * malformed), Till-Signature (valid, stale, replayed, malformed), Content-Type, and the body
 * (valid values from its schema and the document's examples, one structural mutation of those,
 * hostile JSON, broken JSON, invalid UTF-8, a BOM, 70 KB). Values are valid most of the time and
 * prefer ids that exist in the world (world.ts), so requests get past the first check.
 *
 * Checks on every request (invariants.ts, exchange.ts): never a 5xx (not even a documented 502:
 * the channel fakes accept what the sandbox world sends them); every non-2xx is the one error
 * envelope with a code the operation documents for that status, the status and type that code
 * declares, and the request-id header's id (a replay keeps its first answer's); every 2xx body
 * matches its documented schema; and no 4xx changes state (state-snapshot.ts; the idempotency
 * store and a signed request's nonce are the documented exceptions). Bodies are checked with
 * @cfworker/json-schema, which walks the schema: Ajv compiles with `new Function`, which workerd
 * forbids.
 *
 * Does not cover: the WebSocket upgrade of `followCheckout` (no `Upgrade` header is sent, so it
 * answers 426); valid channel notifications (their signature is each channel's own format,
 * which the document cannot describe: notifications are fuzzed with unsigned bodies only);
 * concurrency (requests go one at a time); the rate limits (lifted in the worker tests); state
 * changes of a 2xx beyond what its schema says; time passing (alarms never run during the run).
 *
 * Bounded by default (RUNS_PER_OPERATION, a fixed seed); `npm run fuzz -- --runs N --seed S`
 * runs longer. A failure names the seed and the request that broke the invariant; fast-check
 * shrinks it toward a valid request first. The seed fixes every choice; the world's ids are new
 * each run, so the reported request (method, path, headers, body) is what to replay by hand.
 */
import { env, SELF } from 'cloudflare:test';
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { Fuzzer } from './exchange.ts';
import { SchemaSet } from './json-schema.ts';
import { type OpenApiDocument, readOperations } from './operations.ts';
import { requestPlan } from './request-plan.ts';
import { ValueGenerator } from './schema-values.ts';
import { FuzzStats } from './stats.ts';
import { ORIGIN, World } from './world.ts';

const RUNS_PER_OPERATION = 10;
/**
 * Requests fast-check may send to shrink one failure. Each costs a round trip and snapshots, and
 * a plan shrinks through hundreds of candidates; past the budget every candidate passes unsent,
 * so the smallest failing request found so far is the one reported.
 */
const SHRINK_BUDGET = 60;
const DEFAULT_SEED = 20_261_117;
const runs = Number(env.TILL_FUZZ_RUNS) || RUNS_PER_OPERATION;
const seed = env.TILL_FUZZ_SEED === '' ? DEFAULT_SEED : Number(env.TILL_FUZZ_SEED);

const document = (await (await SELF.fetch(`${ORIGIN}/v1/openapi.json`)).json()) as OpenApiDocument;
const operations = readOperations(document);
const schemas = new SchemaSet(document.components.schemas);
const world = await World.create(schemas);
const values = new ValueGenerator(schemas, world.known);
const stats = new FuzzStats();
const fuzzer = new Fuzzer(world, schemas, stats);
const started = performance.now();

/** One seed per operation, from the run's seed and the operation's id, so adding a route moves no other's. */
function seedOf(operationId: string): number {
  let hash = seed | 0;
  for (const char of operationId) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return hash;
}

describe('fuzzing every operation of the OpenAPI document', () => {
  afterAll(() => {
    console.log(
      stats.summary(
        operations.map((operation) => operation.id),
        seed,
        runs,
        performance.now() - started,
      ),
    );
  });

  for (const operation of operations) {
    it(`${operation.method} ${operation.path} (${operation.id})`, { timeout: 60_000 + runs * 2_000 }, async () => {
      let failed = false;
      let shrinkRequests = 0;
      const property = fc.asyncProperty(requestPlan(operation, values), async (plan) => {
        if (failed && ++shrinkRequests > SHRINK_BUDGET) return;
        try {
          await fuzzer.exchange(operation, plan);
        } catch (error) {
          failed = true;
          throw error;
        }
      });
      const details = await fc.check(property, { seed: seedOf(operation.id), numRuns: runs });
      if (details.failed) {
        // The shrunk request as exchange.ts reports it, not fast-check's dump of the plan (bodies run to 100 KB).
        const cause =
          details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        throw new Error(
          [
            cause,
            `(failed after ${details.numRuns} runs, shrunk ${details.numShrinks} times; ` +
              `fast-check seed ${details.seed}, path "${details.counterexamplePath}")`,
            `Reproduce with: npm run fuzz -- --runs ${runs} --seed ${seed}`,
          ].join('\n'),
        );
      }
    });
  }
});
