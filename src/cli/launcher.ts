// The built out/main/cli.js: runs cli-bundle.cjs (src/cli/index.ts with its packages) through a V8 code
// cache, written by the first `serve` (electron.vite.config.ts builds both files; docs/performance.md).
import { fileURLToPath } from 'node:url';
import { runCachedScript, userCodeCacheDir } from './code-cache.js';

/** the bundle's content hash, set by the build */
declare const __GMR_BUNDLE_ID__: string;

runCachedScript({
  file: fileURLToPath(new URL('./cli-bundle.cjs', import.meta.url)),
  id: __GMR_BUNDLE_ID__,
  cacheDir: userCodeCacheDir(),
  // `status` exits within a second; only a relay lives long enough to have compiled what a start needs
  saveAfterMs: process.argv[2] === 'serve' ? 2000 : null,
});
