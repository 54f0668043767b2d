/**
 * Gzip sizes of the built widget and of its critical path (what a shopper downloads before the
 * first paint: loader, frame page, and the scripts and styles that page links). Shared by the
 * size-budget test and the benchmark.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

export const WIDGET_DIR = 'dist/widget';
export const BUDGET = { loader: 2 * 1024, criticalPath: 20 * 1024 } as const;

export interface SizedFile {
  path: string;
  bytes: number;
  gzip: number;
}

export function widgetFiles(dir = WIDGET_DIR): SizedFile[] {
  if (!existsSync(join(dir, 'v1/frame.html'))) throw new Error(`no widget build in ${dir}: run npm run build`);
  const files: SizedFile[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const full = join(folder, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(js|css|html)$/.test(name)) {
        const content = readFileSync(full);
        files.push({
          path: `/${relative(dir, full)}`,
          bytes: content.length,
          gzip: gzipSync(content, { level: 9 }).length,
        });
      }
    }
  };
  walk(dir);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

export function criticalPath(files: SizedFile[], dir = WIDGET_DIR): { files: SizedFile[]; gzip: number } {
  const frame = readFileSync(join(dir, 'v1/frame.html'), 'utf8');
  const linked = new Set([...frame.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((match) => match[1]));
  const critical = files.filter(
    (file) => file.path === '/v1/till.js' || file.path === '/v1/frame.html' || linked.has(file.path),
  );
  return { files: critical, gzip: critical.reduce((sum, file) => sum + file.gzip, 0) };
}
