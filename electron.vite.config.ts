import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { cspMetaPlugin } from './src/renderer/csp.js';

export default defineConfig({
  // main: ESM bundles of src/main + src/core, and of the headless CLI (out/main/cli.js, plain Node);
  // package dependencies stay external (node_modules)
  main: {
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
