// Preloaded into the relay by bench/soak.ts (node --import): the relay's own event-loop delay and RSS,
// sent to the bench over the IPC channel every 10 s; the bench decides nothing here.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const INTERVAL_MS = 10_000;
const RESOLUTION_MS = 10;
const window = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
window.enable();
// the histogram records the whole interval between its timer's runs: the lag is what exceeds the resolution
const ms = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
setInterval(() => {
  process.send?.({
    kind: 'soak-sample',
    rssMiB: process.memoryUsage.rss() / 1048576,
    heapMiB: process.memoryUsage().heapUsed / 1048576,
    heapTotalMiB: process.memoryUsage().heapTotal / 1048576,
    externalMiB: process.memoryUsage().external / 1048576,
    lag: { p50: ms(window.percentile(50)), p99: ms(window.percentile(99)), max: ms(window.max) },
  });
  window.reset();
}, INTERVAL_MS).unref();
