import { defineConfig } from 'vitest/config';

// better-sqlite3 is a native module: every project runs in forked processes.
export default defineConfig({
  test: {
    pool: 'forks',
    setupFiles: ['test/support/common/setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: { name: 'core', include: ['test/core/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/main/**/*.test.ts', 'test/shared/**/*.test.ts'], environment: 'node' },
      },
      {
        // the Genropy test double's own tests (next to it), and whole Genropy sessions driven by it against a relay
        extends: true,
        test: { name: 'genropy-double', include: ['test/support/genropy/**/*.test.ts', 'test/genropy/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: { name: 'renderer', include: ['test/renderer/**/*.test.{ts,tsx}'], environment: 'jsdom' },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], environment: 'node', testTimeout: 60_000, fileParallelism: false },
      },
      {
        // the relay as outsiders meet it: the example application (Python), the npm package (slow: npm install)
        extends: true,
        test: { name: 'examples', include: ['test/examples/**/*.test.ts', 'test/pack/**/*.test.ts'], environment: 'node', testTimeout: 120_000, hookTimeout: 900_000 },
      },
      {
        extends: true,
        test: { name: 'reliability', include: ['test/reliability/**/*.test.ts'], environment: 'node', testTimeout: 180_000 },
      },
    ],
  },
});
