import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build as esbuild, type Plugin as EsbuildPlugin } from 'esbuild';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { cspMetaPlugin } from './src/renderer/csp.js';
import { mimeFrontSource, type MimeDb, type MimeTypesLike } from './src/cli/mime-front.js';

/** Resolved from node_modules at run time: the native module and heavy first-use ones (pg is bundled: an external
 * static import inside a lazily imported module would be hoisted to the start). */
export const HEADLESS_EXTERNAL = ['better-sqlite3', '@aws-sdk/*', 'selfsigned', 'electron'];

const BUNDLE = 'cli-bundle.cjs';

/** Imported by the relay's modules at start, used only on first use (a link check, a captured HTML summary). */
const LAZY_PACKAGES = ['htmlparser2', 'entities'];

/**
 * The relay's imports of LAZY_PACKAGES become objects whose named exports load the package on first access
 * (esbuild reads named imports at each use, not at import), so their tables are not built at every start.
 */
function lazyPackagesPlugin(): EsbuildPlugin {
  const skip = Symbol('real');
  return {
    name: 'gmr-lazy-packages',
    setup(b) {
      const filter = new RegExp(`^(?:${LAZY_PACKAGES.join('|')})$`);
      b.onResolve({ filter }, async (args) => {
        if (args.pluginData === skip || args.namespace !== 'file' || args.kind !== 'import-statement') return undefined;
        const real = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: skip });
        if (real.errors.length) return { errors: real.errors };
        return { path: real.path, namespace: 'gmr-lazy', pluginData: args.path };
      });
      b.onLoad({ filter: /.*/, namespace: 'gmr-lazy' }, async (args) => {
        const names = Object.keys((await import(pathToFileURL(args.path).href)) as object).filter((n) => n !== 'default');
        const getters = names.map((n) => `${JSON.stringify(n)}: { enumerable: true, get: function () { return load()[${JSON.stringify(n)}]; } }`);
        const contents = `var real = null;\nfunction load() { return real || (real = require(${JSON.stringify(args.path)})); }\nmodule.exports = Object.defineProperties({}, { __esModule: { value: true }, ${getters.join(', ')} });\n`;
        return { contents, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/** Every `mime-types` of the bundle (koa's, type-is's) becomes the small front of src/cli/mime-front.ts. */
function mimeFrontPlugin(): EsbuildPlugin {
  const fromKoa = createRequire(createRequire(import.meta.url).resolve('koa/package.json'));
  const realDir = dirname(fromKoa.resolve('mime-types/package.json'));
  return {
    name: 'gmr-mime-front',
    setup(b) {
      // the front's own require("mime-types") is the real one, resolved from koa's folder
      b.onResolve({ filter: /^mime-types$/ }, (args) => (args.namespace === 'gmr-mime-front' ? undefined : { path: 'mime-types', namespace: 'gmr-mime-front' }));
      b.onLoad({ filter: /.*/, namespace: 'gmr-mime-front' }, () => {
        const real = createRequire(resolve(realDir, 'index.js'));
        return { contents: mimeFrontSource(real('./index.js') as MimeTypesLike, real('mime-db') as MimeDb), loader: 'js', resolveDir: dirname(realDir) };
      });
    },
  };
}

/**
 * After the main build: vite's out/main/cli.js becomes out/main/cli-bundle.cjs, WITH its package dependencies
 * (one file: no package resolution at start), and out/main/cli.js a small launcher that runs it through a V8
 * code cache (src/cli/launcher.ts; CommonJS because only vm.Script takes one on Node 20). Issue #15 item 2.
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
      const bundle = resolve(outDir, BUNDLE);
      await esbuild({
        entryPoints: [cli],
        outfile: bundle,
        bundle: true,
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        external: HEADLESS_EXTERNAL,
        plugins: [mimeFrontPlugin(), lazyPackagesPlugin()],
        // the sources are ESM: strict as before; import.meta from the CommonJS file's own name
        banner: { js: `"use strict";const __gmrImportMetaUrl = require('node:url').pathToFileURL(__filename).href;` },
        define: { 'import.meta.url': '__gmrImportMetaUrl', 'import.meta.filename': '__filename', 'import.meta.dirname': '__dirname' },
        // import() of the lazy externals becomes a require() in a promise: a vm.Script has no module loader
        supported: { 'dynamic-import': false },
        // whitespace and syntax only: stack traces keep their names
        minifyWhitespace: true,
        minifySyntax: true,
        legalComments: 'none',
        logLevel: 'warning',
      });
      const id = createHash('sha256').update(readFileSync(bundle)).digest('hex').slice(0, 16);
      await esbuild({
        entryPoints: [resolve(__dirname, 'src/cli/launcher.ts')],
        outfile: cli,
        allowOverwrite: true,
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        define: { __GMR_BUNDLE_ID__: JSON.stringify(id) },
        banner: { js: '#!/usr/bin/env node' },
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
