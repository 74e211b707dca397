/**
 * `npm run bench`: every benchmark in turn, each in its own process (so one's memory and caches do not
 * colour the next). Extra arguments (e.g. --json) are passed on. One script per figure:
 *   bench/ingest.ts  bench/classic-batch.ts  bench/sink.ts  bench/dispatch.ts  bench/scale-queue.ts  bench/scale-captured.ts  bench/memory-idle.ts  bench/start.ts
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const SCRIPTS = ['ingest.ts', 'classic-batch.ts', 'sink.ts', 'dispatch.ts', 'scale-queue.ts', 'scale-captured.ts', 'memory-idle.ts', 'start.ts'];
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passOn = process.argv.slice(2).filter((a) => a.startsWith('--'));
let failed = 0;
for (const script of SCRIPTS) {
  if (only.length && !only.some((o) => script.startsWith(o))) continue;
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, script), ...passOn], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`${script} failed (${r.status ?? r.signal})\n`);
  }
}
process.exit(failed ? 1 : 0);
