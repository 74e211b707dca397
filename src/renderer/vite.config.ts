import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { cspMetaPlugin } from './csp.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Builds the web UI alone (same output as the renderer section of electron.vite.config.ts):
 * `npx vite build --config src/renderer/vite.config.ts`. Relative asset paths, so the same files work
 * served by the relay at / and loaded from disk by Electron.
 */
export default defineConfig({
  root: here,
  base: './',
  plugins: [react(), cspMetaPlugin()],
  build: {
    outDir: resolve(here, '../../out/renderer'),
    emptyOutDir: true,
    rollupOptions: { input: { index: resolve(here, 'index.html') } },
  },
});
