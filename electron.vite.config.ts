import { resolve } from 'node:path';
import { build as esbuild } from 'esbuild';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { cspMetaPlugin } from './src/renderer/csp.js';

/** Resolved from node_modules at run time: the native module and heavy first-use ones (pg is bundled: an external
 * static import inside a lazily imported module would be hoisted to the start). */
export const HEADLESS_EXTERNAL = ['better-sqlite3', '@aws-sdk/*', 'selfsigned', 'electron'];

/**
 * After the main build: out/main/cli.js again, now WITH its package dependencies, one ESM file. A start then
 * reads and links one file instead of resolving ~10 packages' hundreds (issue #15 item 2, docs/performance.md).
 */
function bundleHeadlessCli(): Plugin {
  let outDir = '';
  return {
    name: 'gmr-bundle-headless-cli',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async closeBundle() {
      const cli = resolve(outDir, 'cli.js');
      await esbuild({
        entryPoints: [cli],
        outfile: cli,
        allowOverwrite: true,
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        external: HEADLESS_EXTERNAL,
        // bundled CommonJS packages require() node built-ins: an ESM file has no require of its own
        banner: { js: "import { createRequire as __gmrCreateRequire } from 'node:module'; const require = __gmrCreateRequire(import.meta.url);" },
        // whitespace and syntax only: stack traces keep their names
        minifyWhitespace: true,
        minifySyntax: true,
        legalComments: 'none',
        logLevel: 'warning',
      });
    },
  };
}

export default defineConfig({
  // main: ESM bundles of src/main + src/core (package dependencies external), and of the headless CLI
  // (out/main/cli.js, plain Node), whose dependencies are bundled in afterwards (bundleHeadlessCli)
  main: {
    plugins: [bundleHeadlessCli()],
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/main/index.ts'), cli: resolve(__dirname, 'src/cli/index.ts') },
      },
    },
  },
  // preload: runs sandboxed, so one self-contained CommonJS file that requires only 'electron'
  preload: {
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react(), cspMetaPlugin()],
    build: {
      // electron-vite leaves the renderer unminified by default; the relay serves this same build to browsers
      minify: true,
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});
