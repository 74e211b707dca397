/**
 * Memory and idle (issue #15 item 1): a real relay process (serve, sandbox mode) takes 20,000 messages over
 * the API in batches of 1,000 and 1,000 single submits, delivers them all over SMTP to its own sink, then
 * sits idle. Prints its fresh RSS (goal <= 80 MiB), the peak RSS sampled every 100 ms through ingest and
 * drain (<= 160 MiB), the RSS after --idle-seconds (default 30; <= 100 MiB) and the CPU used meanwhile (the
 * sink's indexing of the captures catches up then). Then waits until the process is quiet (1 s windows
 * under 1 % CPU) and measures the CPU of --idle-cpu-seconds (default 60) of true idleness (< 0.5 %).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { arg, postJson, report, tempDir, BENCH_TOKEN } from './lib.js';

const N = arg('messages', 20_000);
const SINGLES = arg('singles', 1000);
const IDLE_SECONDS = arg('idle-seconds', 30);
const IDLE_CPU_SECONDS = arg('idle-cpu-seconds', 60);
const ROOT = path.resolve(import.meta.dirname, '..');
const TICKS = 100; // USER_HZ on Linux

function procStat(pid: number): { rssMiB: number; cpuTicks: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { rssMiB: rssKb / 1024, cpuTicks: Number(stat[11]) + Number(stat[12]) };
}

async function main() {
  // the built CLI (npm run build) is what runs in production; from the sources through tsx otherwise
  // RELAY_CLI: another build (e.g. a commit to compare with, built into a folder of its own)
  const cli = process.env.RELAY_CLI ?? path.join(ROOT, 'out/main/cli.js');
  const built = fs.existsSync(cli);
  const entry = built ? [...(process.env.RELAY_NODE_FLAGS ?? '').split(' ').filter(Boolean), cli] : ['--import', 'tsx', 'src/cli/index.ts'];
  const child = spawn(
    process.execPath,
    [...entry, 'serve', '--port', '0', '--smtp-port', '0', '--data-dir', tempDir(), '--api-token', BENCH_TOKEN],
    { cwd: ROOT, env: { ...process.env, GMP_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // a failed run (e.g. the drain timed out) leaves no relay behind
  process.once('exit', () => child.kill('SIGTERM'));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (c) => reject(new Error(`relay exited (${c})`)));
  });
  const agent = new http.Agent({ keepAlive: true });
  const startRss = procStat(child.pid!).rssMiB;
  let peakRss = startRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, procStat(child.pid!).rssMiB)), 100);
  await postJson(agent, `${url}/account`, BENCH_TOKEN, { id: 'bench', host: '127.0.0.1', port: 2525 });
  for (let b = 0; b < N / 1000; b++) {
    const messages = Array.from({ length: 1000 }, (_, i) => ({
      id: `mem-${b}-${i}`,
      account_id: 'bench',
      from: 'bench@example.com',
      to: ['rcpt@example.com'],
      subject: `memory ${b}-${i}`,
      body: 'Hello. '.repeat(100),
    }));
    const r = await postJson(agent, `${url}/commands/add-messages`, BENCH_TOKEN, { messages });
    if (r.status !== 200) throw new Error(`add-messages: ${r.status}`);
  }
  for (let i = 0; i < SINGLES; i++) {
    const message = { id: `mem-one-${i}`, account_id: 'bench', from: 'bench@example.com', to: ['rcpt@example.com'], subject: `single ${i}`, body: 'Hello. '.repeat(100) };
    const r = await postJson(agent, `${url}/commands/add-messages`, BENCH_TOKEN, { messages: [message] });
    if (r.status !== 200) throw new Error(`single submit: ${r.status}`);
  }
  const t0 = Date.now();
  const cpuAtDrain = procStat(child.pid!).cpuTicks;
  for (;;) {
    const r = await fetch(`${url}/api/stats`, { headers: { 'X-API-Token': BENCH_TOKEN } });
    const s = (await r.json()) as { counts: Record<string, number> };
    if (s.counts.queued + s.counts.sending + s.counts.deferred === 0) break;
    if (Date.now() - t0 > 1_200_000) throw new Error('dispatch did not finish');
    await new Promise((r) => setTimeout(r, 500));
  }
  const drainSeconds = (Date.now() - t0) / 1000;
  // the relay's own CPU for the drain (dispatch, sink, indexers): far less moved by the load than msg/s
  const drainCpuMs = ((procStat(child.pid!).cpuTicks - cpuAtDrain) / TICKS) * 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, procStat(child.pid!).rssMiB);
  agent.destroy();
  await new Promise((r) => setTimeout(r, 3000));
  const after = procStat(child.pid!);
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const idle = procStat(child.pid!);
  const idleCpuPct = ((idle.cpuTicks - after.cpuTicks) / TICKS / IDLE_SECONDS) * 100;
  // background work left by the burst (indexing the captures) ends: three 1 s windows in a row under 1 %
  let quiet = 0;
  let last = procStat(child.pid!).cpuTicks;
  while (quiet < 3 && Date.now() - t0 < 1_200_000) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = procStat(child.pid!).cpuTicks;
    quiet = now - last < 1 ? quiet + 1 : 0;
    last = now;
  }
  const quietAfter = (Date.now() - t0) / 1000 - drainSeconds;
  const q0 = procStat(child.pid!);
  await new Promise((r) => setTimeout(r, IDLE_CPU_SECONDS * 1000));
  const q1 = procStat(child.pid!);
  const quietCpuPct = ((q1.cpuTicks - q0.cpuTicks) / TICKS / IDLE_CPU_SECONDS) * 100;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  report(
    `Memory and idle (relay process from ${built ? path.relative(ROOT, cli) : 'sources via tsx'}, sandbox mode)`,
    [
      { what: 'RSS at start (fresh relay)', value: `${startRss.toFixed(0)} MiB`, goal: '<= 80 MiB' },
      { what: `peak RSS, ${N} in batches of 1,000 + ${SINGLES} single submits, ingested and delivered`, value: `${peakRss.toFixed(0)} MiB`, goal: '<= 160 MiB' },
      { what: 'RSS 3 s after the last delivery', value: `${after.rssMiB.toFixed(0)} MiB` },
      { what: `RSS after ${IDLE_SECONDS} s idle`, value: `${idle.rssMiB.toFixed(0)} MiB`, goal: '<= 100 MiB' },
      { what: `CPU in those ${IDLE_SECONDS} s (the captures' indexing catching up included)`, value: `${idleCpuPct.toFixed(2)} %` },
      { what: `quiet (3 s in a row under 1 % CPU), looked for from ${IDLE_SECONDS + 3} s after the last delivery`, value: `${quietAfter.toFixed(0)} s after it` },
      { what: `CPU over ${IDLE_CPU_SECONDS} s idle once quiet`, value: `${quietCpuPct.toFixed(2)} %`, goal: '< 0.5 %' },
      { what: `RSS after those ${IDLE_CPU_SECONDS} s`, value: `${q1.rssMiB.toFixed(0)} MiB`, goal: '<= 100 MiB' },
      { what: 'sandbox delivery of the batch', value: `${drainSeconds.toFixed(1)} s = ${Math.round((N + SINGLES) / drainSeconds)} msg/s` },
      { what: 'relay CPU during that delivery, per message', value: `${(drainCpuMs / (N + SINGLES)).toFixed(2)} ms` },
    ],
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
