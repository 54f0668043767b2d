/**
 * Each table of the order Durable Object is written (INSERT, UPDATE, DELETE) by exactly one module
 * of the worker, through named operations, so a table's rules live in one place; and order and
 * attempt statuses move only through the transition table (shared/order-model.ts). Read from the
 * sources: the SQL in string literals, leaving out comments and D1 statements (`db.prepare(…)`,
 * the index, which has tables of the same names).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

/** The tables the order object's migrations create (read as text: the module needs the Workers types). */
const ORDER_TABLES = [
  ...readFileSync(join(ROOT, 'worker/orders/order-migrations.ts'), 'utf8').matchAll(
    /CREATE TABLE (?:IF NOT EXISTS )?(\w+)/g,
  ),
].map((match) => match[1]!);

interface Literal {
  text: string;
  /** Where it starts in the source. */
  at: number;
}

const REGEX_MAY_FOLLOW = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', 'return']);

/** The string and template literals of a TypeScript source; comments and regular expressions are skipped. */
function literalsOf(source: string): Literal[] {
  const literals: Literal[] = [];
  let last = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '/' && source[i + 1] === '/') {
      i = source.indexOf('\n', i) === -1 ? source.length : source.indexOf('\n', i);
    } else if (c === '/' && source[i + 1] === '*') {
      i = source.indexOf('*/', i + 2) + 2;
    } else if (c === '/' && REGEX_MAY_FOLLOW.has(last)) {
      let inClass = false;
      for (i++; i < source.length && (inClass || source[i] !== '/'); i++) {
        if (source[i] === '\\') i++;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
      }
      i++;
      last = 'regex';
    } else if (c === "'" || c === '"' || c === '`') {
      const start = i;
      for (i++; i < source.length && source[i] !== c; i++) if (source[i] === '\\') i++;
      literals.push({ text: source.slice(start + 1, i), at: start });
      i++;
      last = 'literal';
    } else {
      if (!/\s/.test(c)) last = /\w/.test(c) ? (source.slice(i).match(/^\w+/)?.[0] ?? c) : c;
      i += /\w/.test(c) ? last.length : 1;
    }
  }
  return literals;
}

/** The tables a source writes with the Durable Object's SQL. */
function tablesWritten(source: string): Set<string> {
  const written = new Set<string>();
  for (const literal of literalsOf(source)) {
    // A D1 statement (the orders index) is not the order object's storage.
    if (/\.prepare\(\s*$/.test(source.slice(Math.max(0, literal.at - 40), literal.at))) continue;
    for (const match of literal.text.matchAll(
      /\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)/gi,
    ))
      written.add(match[1]!);
  }
  return written;
}

function sourcesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(ROOT, folder, file));
}

/** Each order table, with the worker modules that write it. */
function writersOfOrderTables(): Map<string, string[]> {
  const writers = new Map<string, string[]>(ORDER_TABLES.map((table) => [table, []]));
  for (const file of sourcesUnder('worker')) {
    for (const table of tablesWritten(readFileSync(file, 'utf8'))) writers.get(table)?.push(relative(ROOT, file));
  }
  return writers;
}

describe('the order object’s tables', () => {
  it('are found in the migrations', () => {
    expect(ORDER_TABLES).toEqual(
      expect.arrayContaining(['orders', 'attempts', 'refunds', 'outbox', 'deliveries', 'delivery_attempts']),
    );
    expect(ORDER_TABLES).toContain('channel_notifications');
  });

  it('are each written by exactly one module', () => {
    const writers = writersOfOrderTables();
    const many = [...writers].filter(([, files]) => files.length !== 1);
    expect(many, 'tables written by more than one module (or by none)').toEqual([]);
  });

  it('move order and attempt statuses through the transition table', () => {
    const writers = writersOfOrderTables();
    const source = (table: string) => readFileSync(join(ROOT, writers.get(table)![0]!), 'utf8');
    expect(source('orders')).toMatch(/\bcanTransition\(/);
    expect(source('attempts')).toMatch(/\bcanTransitionAttempt\(/);
    expect(source('refunds')).toMatch(/\bREFUND_TRANSITIONS\b/);
  });
});

describe('the check itself', () => {
  it('sees writes in strings and templates, not in comments, reads or D1 statements', () => {
    const source = [
      "// UPDATE orders SET status = 'paid' (a comment)",
      "/* DELETE FROM refunds */ const re = /'UPDATE outbox'/;",
      "sql.exec('UPDATE attempts SET status = ? WHERE id = ?', status, id);",
      'sql.exec(`INSERT INTO outbox (id) VALUES (?)`, id);',
      'sql.exec("INSERT OR IGNORE INTO channel_events (event_id) VALUES (?)", id);',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a template literal, as the check reads it
      'sql.exec(`UPDATE orders SET ${columns} WHERE id = ?`, id);',
      "sql.exec('SELECT * FROM refunds');",
      "db.prepare('INSERT INTO orders (id) VALUES (?1)').bind(id);",
      'db\n  .prepare(\n    `INSERT OR IGNORE INTO deliveries (id) VALUES (?1)`)',
    ].join('\n');
    expect([...tablesWritten(source)].sort()).toEqual(['attempts', 'channel_events', 'orders', 'outbox']);
  });
});
