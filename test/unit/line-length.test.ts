/**
 * Every line of the project's own sources is at most 120 characters. Biome formats code to 120
 * columns but never breaks a string, a comment or a template literal, so this test holds the rest.
 * Characters are Unicode code points, not bytes or UTF-16 units: the locales and some tests hold
 * Chinese, Japanese, Korean, Arabic and Russian text.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAX_LINE_LENGTH = 120;

/** The folders of the project's own code; files at the top level (the build configs) count too. */
const SOURCE_FOLDERS = ['worker/', 'shared/', 'sdk/', 'widget/', 'scripts/', 'bench/', 'test/'];
/** Code, styles and pages; not JSON (fixtures hold published vectors byte for byte), Markdown or the lockfile. */
const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx|css|html)$/;

/** The source files git tracks, as paths from the repository root. */
function trackedSources(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0');
  return listed.filter(
    (path) =>
      SOURCE_FILE.test(path) &&
      (!path.includes('/') || SOURCE_FOLDERS.some((folder) => path.startsWith(folder))) &&
      existsSync(join(ROOT, path)),
  );
}

/** `path:line (length)` for each line of `text` longer than the limit, counted in code points. */
function overlongLines(path: string, text: string): string[] {
  return text.split(/\r?\n/).flatMap((line, index) => {
    const length = [...line].length;
    return length > MAX_LINE_LENGTH ? [`${path}:${index + 1} (${length})`] : [];
  });
}

describe('line length', () => {
  it('counts code points: 120 CJK characters fit, 121 emoji do not', () => {
    expect(overlongLines('a.ts', '字'.repeat(120))).toEqual([]);
    expect(overlongLines('a.ts', `short\r\n${'😀'.repeat(121)}\n`)).toEqual(['a.ts:2 (121)']);
  });

  it('keeps every line of the tracked sources at 120 characters or fewer', () => {
    const files = trackedSources();
    // A git that listed nothing would pass vacuously.
    expect(files).toEqual(expect.arrayContaining(['worker/index.ts', 'widget/app/styles.css']));
    const overlong = files.flatMap((path) => overlongLines(path, readFileSync(join(ROOT, path), 'utf8')));
    expect(overlong, `lines over ${MAX_LINE_LENGTH} characters`).toEqual([]);
  });
});
