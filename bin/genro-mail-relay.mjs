#!/usr/bin/env node
// The headless relay (`serve`, `status`) from the built bundle: plain Node, no TypeScript tooling.
import { existsSync } from 'node:fs';

const cli = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('genro-mail-relay: out/main/cli.js is missing: run `npm run build` (npm pack runs it for you)\n');
  process.exit(1);
}
await import(cli.href);
