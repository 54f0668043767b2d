/**
 * The layers of docs/architecture.md, enforced: the worker, the widget and the SDK have no import
 * cycle, and each folder imports only what its layer may. Type-only imports are left out (they
 * vanish at build; `worker/base/env.ts` names the Durable Object classes for typed RPC), as
 * `dpdm -T` leaves them out.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type DependencyTree, parseCircular, parseDependencyTree } from 'dpdm';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Each layer (by path prefix, most specific first) and the layers its modules may import. */
const LAYERS: ReadonlyArray<{ layer: string; mayImport: readonly string[] }> = [
  { layer: 'worker/index.ts', mayImport: ['worker/', 'shared/'] },
  { layer: 'worker/app.ts', mayImport: ['worker/', 'shared/'] },
  { layer: 'worker/demo/', mayImport: ['worker/demo/', 'worker/http/', 'worker/base/', 'sdk/', 'shared/'] },
  {
    layer: 'worker/http/',
    mayImport: [
      'worker/http/',
      'worker/orders/',
      'worker/merchants/',
      'worker/idempotency/',
      'worker/channels/',
      'worker/base/',
      'shared/',
    ],
  },
  {
    layer: 'worker/orders/',
    mayImport: ['worker/orders/', 'worker/merchants/', 'worker/channels/', 'worker/base/', 'shared/'],
  },
  { layer: 'worker/merchants/', mayImport: ['worker/merchants/', 'worker/channels/', 'worker/base/', 'shared/'] },
  { layer: 'worker/idempotency/', mayImport: ['worker/idempotency/', 'worker/base/', 'shared/'] },
  { layer: 'worker/channels/', mayImport: ['worker/channels/', 'worker/base/', 'shared/'] },
  { layer: 'worker/base/', mayImport: ['worker/base/', 'shared/'] },
  { layer: 'shared/', mayImport: ['shared/'] },
  { layer: 'widget/app/', mayImport: ['widget/app/', 'widget/protocol/', 'shared/'] },
  { layer: 'widget/loader/', mayImport: ['widget/loader/', 'widget/protocol/', 'shared/'] },
  { layer: 'widget/protocol/', mayImport: ['widget/protocol/', 'shared/'] },
  { layer: 'sdk/', mayImport: ['sdk/', 'shared/'] },
];

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => join(folder, file));
}

let tree: DependencyTree;

beforeAll(async () => {
  const files = ['worker', 'widget', 'sdk', 'shared'].flatMap(sources);
  tree = await parseDependencyTree(files, {
    context: ROOT,
    cwd: ROOT,
    transform: true,
    tsconfig: join(ROOT, 'tsconfig.base.json'),
  });
}, 60_000);

const ours = (id: string | null): id is string => id !== null && !id.includes('node_modules');

describe('architecture', () => {
  it('reads the whole source tree', () => {
    expect(Object.keys(tree).filter((file) => file.startsWith('worker/')).length).toBeGreaterThan(80);
  });

  it('has no import cycle in the worker, the widget or the SDK', () => {
    const cycles = parseCircular(tree).map((cycle) => cycle.join(' → '));
    expect(cycles).toEqual([]);
  });

  it('keeps every import within what its layer may import', () => {
    const crossings: string[] = [];
    for (const [file, dependencies] of Object.entries(tree)) {
      const from = relative(ROOT, join(ROOT, file));
      const rule = LAYERS.find(({ layer }) => from.startsWith(layer));
      if (!rule) continue;
      for (const dependency of dependencies ?? []) {
        if (!ours(dependency.id)) continue;
        const to = relative(ROOT, join(ROOT, dependency.id));
        if (!rule.mayImport.some((allowed) => to.startsWith(allowed))) crossings.push(`${from} → ${to}`);
      }
    }
    expect(crossings).toEqual([]);
  });

  it('places every source file in a layer', () => {
    const homeless = Object.keys(tree)
      .filter((file) => !file.includes('node_modules'))
      .filter((file) => !LAYERS.some(({ layer }) => file.startsWith(layer)));
    expect(homeless).toEqual([]);
  });
});
