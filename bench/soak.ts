/**
 * Soak: a relay process (serve, sandbox mode: every message delivered to its own sink) takes `--rate`
 * (default 50) messages per second over the API for `--minutes` (default 10), with the UI's SSE stream
 * connected. Each 10 s the relay reports its RSS and event-loop delay (bench/soak-probe.mjs). Prints the
 * RSS slope over the last half (goal: no upward trend) and the p99 event-loop lag (goal <= 50 ms).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { arg, postJson, report, tempDir, BENCH_TOKEN } from './lib.js';

const MINUTES = arg('minutes', 10);
const RATE = arg('rate', 50);
const ROOT = path.resolve(import.meta.dirname, '..');
const PROBE = path.join(import.meta.dirname, 'soak-probe.mjs');
/** --cpu-prof DIR: the relay writes a V8 CPU profile there when it exits (node refuses it in NODE_OPTIONS) */
const CPU_PROF = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : null;

interface Sample {
  t: number;
  rssMiB: number;
  heapMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
  /** relay CPU over the window, % of one core */
  cpuPct: number;
  /** turns of the loop late by more than 50 ms (the probe's long-task log) */
  stalls: number;
  lag: { p50: number; p99: number; max: number };
  submitted: number;
  delivered: number;
  backlog: number;
  sseFrames: number;
}

/** least-squares slope of y over x */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function startRelay() {
  const built = fs.existsSync(path.join(ROOT, 'out/main/cli.js'));
  const entry = built ? ['out/main/cli.js'] : ['--import', 'tsx', 'src/cli/index.ts'];
  const child = spawn(
    process.execPath,
    ['--import', PROBE, ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []), ...entry, 'serve', '--port', '0', '--smtp-port', '0', '--data-dir', tempDir(), '--api-token', BENCH_TOKEN],
    { cwd: ROOT, env: { ...process.env, GMP_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (c) => reject(new Error(`relay exited (${c})`)));
  });
  return { child, url, built };
}

/** The UI's live stream, read as the browser would; counts the frames. */
function connectStream(url: string) {
  const state = { frames: 0, req: null as http.ClientRequest | null };
  state.req = http.get(`${url}/api/events`, { headers: { 'X-API-Token': BENCH_TOKEN, Accept: 'text/event-stream' } }, (res) => {
    if (res.statusCode !== 200) throw new Error(`/api/events: ${res.statusCode}`);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      state.frames += chunk.split('\n\n').length - 1;
    });
  });
  state.req.on('error', () => undefined);
  return state;
}

async function stats(url: string): Promise<Record<string, number>> {
  const r = await fetch(`${url}/api/stats`, { headers: { 'X-API-Token': BENCH_TOKEN } });
  return ((await r.json()) as { counts: Record<string, number> }).counts;
}

async function main() {
  const { child, url: urlP, built } = startRelay();
  const url = await urlP;
  const stream = connectStream(url);
  const agent = new http.Agent({ keepAlive: true });
  await postJson(agent, `${url}/account`, BENCH_TOKEN, { id: 'bench', host: '127.0.0.1', port: 2525 });
  const samples: Sample[] = [];
  let submitted = 0;
  let refused = 0;
  const t0 = performance.now();
  child.on('message', (m: { kind?: string } & Omit<Sample, 't' | 'submitted' | 'delivered' | 'backlog' | 'sseFrames'>) => {
    if (m.kind !== 'soak-sample') return;
    const t = (performance.now() - t0) / 60_000;
    void stats(url).then((c) =>
      samples.push({ ...m, t, submitted, delivered: c.sent, backlog: c.queued + c.sending + c.deferred, sseFrames: stream.frames }),
    );
  });
  // submits on a 100 ms tick whatever is due by then, so the rate holds when a tick is late
  const endAt = t0 + MINUTES * 60_000;
  while (performance.now() < endAt) {
    const due = Math.floor(((performance.now() - t0) / 1000) * RATE) - submitted;
    if (due > 0) {
      const messages = Array.from({ length: due }, (_, i) => ({
        id: `soak-${submitted + i}`,
        account_id: 'bench',
        from: 'soak@example.com',
        to: [`rcpt${(submitted + i) % 100}@example.com`],
        subject: `soak ${submitted + i}`,
        body: 'Hello. '.repeat(100),
      }));
      const r = await postJson(agent, `${url}/commands/add-messages`, BENCH_TOKEN, { messages });
      if (r.status !== 200) {
        if (refused === 0) console.error(`add-messages answered ${r.status}: ${r.body.slice(0, 300)}`);
        refused += due;
      }
      submitted += due;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // the last messages drain, bounded
  const drainStart = Date.now();
  let counts = await stats(url);
  while (counts.queued + counts.sending + counts.deferred > 0 && Date.now() - drainStart < 60_000) {
    await new Promise((r) => setTimeout(r, 250));
    counts = await stats(url);
  }
  stream.req?.destroy();
  agent.destroy();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));

  const half = samples.filter((s) => s.t >= MINUTES / 2);
  const rssSlope = slope(
    half.map((s) => s.t),
    half.map((s) => s.rssMiB),
  );
  // the first window holds the relay's own start
  const steady = samples.slice(1);
  const lagP99 = Math.max(...steady.map((s) => s.lag.p99));
  const sorted = steady.map((s) => s.lag.p99).sort((a, b) => a - b);
  report(
    `Soak: ${RATE} msg/s for ${MINUTES} min into the sandbox sink, SSE stream connected (relay from ${built ? 'out/main/cli.js' : 'sources via tsx'})`,
    samples.map((s) => ({
      min: Number(s.t.toFixed(2)),
      'RSS MiB': Number(s.rssMiB.toFixed(1)),
      'heap MiB': Number(s.heapMiB.toFixed(1)),
      'heap total MiB': Number(s.heapTotalMiB.toFixed(1)),
      'external MiB': Number(s.externalMiB.toFixed(1)),
      'lag p50 ms': Number(s.lag.p50.toFixed(1)),
      'lag p99 ms': Number(s.lag.p99.toFixed(1)),
      'lag max ms': Number(s.lag.max.toFixed(1)),
      'stalls > 50 ms': s.stalls,
      'CPU %': Number(s.cpuPct.toFixed(1)),
      submitted: s.submitted,
      delivered: s.delivered,
      backlog: s.backlog,
      'SSE frames': s.sseFrames,
    })),
    {
      submitted,
      'refused by the API': refused,
      delivered: counts.sent,
      'left undelivered after 60 s of drain': counts.queued + counts.sending + counts.deferred,
      errors: counts.error,
      'RSS slope over the last half': `${rssSlope.toFixed(2)} MiB/min (${half.length} samples; goal: no upward trend)`,
      'event-loop lag p99, worst 10 s window after the first': `${lagP99.toFixed(1)} ms (goal <= 50 ms)`,
      'event-loop lag p99, median of the windows': `${(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(1)} ms`,
      'stalls > 50 ms (after the first window)': steady.reduce((n, s) => n + s.stalls, 0),
      'relay CPU, mean of the windows': `${(steady.reduce((n, s) => n + s.cpuPct, 0) / Math.max(1, steady.length)).toFixed(1)} % of a core`,
      'load average at the end': fs.existsSync('/proc/loadavg') ? fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'n/a',
    },
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
