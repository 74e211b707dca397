// Preloaded into the relay by bench/soak.ts (node --import): the relay's own event-loop delay, RSS and
// CPU, sent to the bench over the IPC channel every 10 s; the bench decides nothing here.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const INTERVAL_MS = 10_000;
const RESOLUTION_MS = 10;
/** a turn of the loop that held it longer than this is counted as a stall */
const STALL_MS = 50;
const window = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
window.enable();
// the histogram records the whole interval between its timer's runs: the lag is what exceeds the resolution
const ms = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
// the long-task log: a 10 ms timer that measures how late it ran; CPU used beside it tells the relay's
// own work (CPU high) from a machine that gave the relay no core (lag with little CPU)
let stalls = 0;
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  if (now - last - RESOLUTION_MS > STALL_MS) stalls++;
  last = now;
}, RESOLUTION_MS).unref();
let cpu = process.cpuUsage();
setInterval(() => {
  const used = process.cpuUsage(cpu);
  cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  process.send?.({
    kind: 'soak-sample',
    rssMiB: mem.rss / 1048576,
    heapMiB: mem.heapUsed / 1048576,
    heapTotalMiB: mem.heapTotal / 1048576,
    externalMiB: mem.external / 1048576,
    cpuPct: (used.user + used.system) / 10 / INTERVAL_MS,
    stalls,
    lag: { p50: ms(window.percentile(50)), p99: ms(window.percentile(99)), max: ms(window.max) },
  });
  stalls = 0;
  window.reset();
}, INTERVAL_MS).unref();
