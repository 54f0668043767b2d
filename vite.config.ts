/**
 * Build of the checkout frame: `widget/app/frame.html` → `dist/widget/v1/frame.html` with hashed
 * assets in `dist/widget/v1/assets/`. The worker serves `dist/widget` at the site root, so
 * asset URLs are absolute under `/v1/` and work whether the page is `/v1/frame` or
 * `/v1/frame.html`. The loader (`till.js`) is built by vite.loader.config.ts into the same folder.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const fromRoot = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Vite wraps every dynamic import in a helper that preloads the chunk's dependencies (~0.9 KB
 * gzip). Our lazy chunk (the wallet screens with the QR encoder) imports only from the entry chunk,
 * which is already loaded, so the helper is replaced by a plain call. Should Vite stop honouring
 * this, the build still works, just with the helper back.
 */
const PRELOAD_HELPER = '\0vite/preload-helper.js';
const skipPreloadHelper: Plugin = {
  name: 'till:skip-preload-helper',
  enforce: 'pre',
  resolveId: (id) => (id === PRELOAD_HELPER ? id : null),
  load: (id) => (id === PRELOAD_HELPER ? 'export const __vitePreload = (load) => load();' : null),
};

export default defineConfig({
  root: fromRoot('./widget/app'),
  base: '/v1/',
  publicDir: false,
  plugins: [skipPreloadHelper],
  // Preact's automatic JSX runtime, through Vite's own oxc transform (no Babel).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fromRoot('./dist/widget/v1'),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Old Android and in-app webviews are a real share of shoppers.
    target: 'es2020',
    // The lazy wallet chunk depends only on the entry chunk, already loaded, so Vite's preload
    // helper and polyfill would only add bytes to the critical path.
    modulePreload: false,
    rolldownOptions: {
      input: { frame: fromRoot('./widget/app/frame.html') },
      // Lowered class fields become plain assignments instead of a defineProperty helper.
      transform: { assumptions: { setPublicClassFields: true } },
    },
  },
  server: {
    // `vite` serves the frame with hot reload while `wrangler dev` answers the API.
    proxy: { '/v1/checkout': 'http://127.0.0.1:8787' },
  },
});
