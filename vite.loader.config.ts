/**
 * Build of the loader, `dist/widget/v1/till.js`: one classic-script IIFE that merchants add
 * with a script tag. No framework and an older syntax target, since it runs on every
 * merchant page. Runs after vite.config.ts, which empties the folder.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const fromRoot = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  publicDir: false,
  build: {
    outDir: fromRoot('./dist/widget/v1'),
    emptyOutDir: false,
    target: 'es2020',
    copyPublicDir: false,
    rolldownOptions: {
      input: fromRoot('./widget/loader/till.ts'),
      output: { format: 'iife', entryFileNames: 'till.js' },
      transform: { assumptions: { setPublicClassFields: true } },
    },
  },
});
