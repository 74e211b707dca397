/**
 * Big classic batches (issue #14.5): one add-messages of 1,000 messages of 13 KB (~13.7 MB, what Genropy
 * was seen sending) and of 21 KB (over 20 MB), each posted to a fresh relay process (`relay serve`, from
 * the sources), paused so only intake runs. Prints the answer time (Genropy waits 60 s) and the relay's
 * peak RSS. Peer in the same run: the same batch queued through store.messages.enqueue (as the intake
 * does), in a process of its own, with its time and peak RSS.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { openStore } from '../src/core/store/index.js';
import { toPayload } from '../src/core/messages/normalise.js';
import { arg, postJson, report, tempDir, BENCH_TOKEN } from './lib.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const N = arg('messages', 1000);
const SIZES_KB = [13, 21];

/** Peak and current RSS of a process, MiB (Linux /proc). */
function rssOf(pid: number | 'self'): { peak: number; now: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
}

/** A Genropy-like newsletter batch: HTML bodies of `kb` KiB, the headers Genropy adds. */
function batch(kb: number, prefix: string) {
  const para = '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>\n';
  const body = para.repeat(Math.ceil((kb * 1024) / para.length)).slice(0, kb * 1024);
  return Array.from({ length: N }, (_, i) => ({
    id: `${prefix}-${String(i).padStart(16, '0')}`,
    account_id: 'bench',
    from: 'News <news@example.com>',
    to: [`reader${i}@example.com`],
    subject: `Newsletter ${i}`,
    body,
    content_type: 'html',
    priority: null,
    headers: { message_date: '2026-01-01' },
  }));
}

async function startRelay(): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/index.ts', 'serve', '--port', '0', '--smtp-port', '0', '--data-dir', tempDir(), '--api-token', BENCH_TOKEN],
    { cwd: ROOT, env: { ...process.env, GMP_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (c) => reject(new Error(`relay exited (${c})`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** One batch over HTTP to a fresh relay process: answer time and the relay's RSS. */
async function overHttp(kb: number) {
  const relay = await startRelay();
  const agent = new http.Agent({ keepAlive: true });
  try {
    await postJson(agent, `${relay.url}/account`, BENCH_TOKEN, { id: 'bench', host: '127.0.0.1', port: 2525 });
    await postJson(agent, `${relay.url}/commands/suspend`, BENCH_TOKEN, {});
    const body = { messages: batch(kb, `h${kb}`) };
    const bytes = Buffer.byteLength(JSON.stringify(body));
    const before = rssOf(relay.pid);
    const r = await postJson(agent, `${relay.url}/commands/add-messages`, BENCH_TOKEN, body);
    const answer = JSON.parse(r.body) as { queued?: number };
    if (r.status !== 200 || answer.queued !== N) throw new Error(`add-messages answered ${r.status}: ${r.body.slice(0, 200)}`);
    return { bytes, ms: r.ms, before, after: rssOf(relay.pid) };
  } finally {
    agent.destroy();
    await relay.stop();
  }
}

/** The peer, run in its own process (`--peer <kb>`): the same batch straight into the store. */
async function peer(kb: number): Promise<void> {
  const store = await openStore({ path: path.join(tempDir(), 'relay.db') });
  await store.accounts.upsert({ tenant_id: '', id: 'bench', host: '127.0.0.1', port: 2525, user: null, password: null, ttl: 300, limit_per_minute: null, limit_per_hour: null, limit_per_day: null, limit_behavior: 'defer', use_tls: null, batch_size: null, timeout: null, max_connections: null, fallbacks: null, weight: null }, 0);
  const messages = batch(kb, `s${kb}`);
  const before = rssOf('self');
  const t0 = performance.now();
  const payloads = messages.map((m) => toPayload(m, 2, ''));
  const r = await store.transaction((tx) => tx.messages.enqueue(payloads, Math.floor(Date.now() / 1000)));
  const ms = performance.now() - t0;
  if (r.queued !== N) throw new Error(`peer queued ${r.queued}`);
  await store.close();
  process.stdout.write(JSON.stringify({ ms, before, after: rssOf('self') }));
}

function runPeer(kb: number): { ms: number; before: { peak: number; now: number }; after: { peak: number; now: number } } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--peer', String(kb)], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`peer failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ReturnType<typeof runPeer>;
}

async function main() {
  const peerArg = process.argv.indexOf('--peer');
  if (peerArg >= 0) return peer(Number(process.argv[peerArg + 1]));
  const rows = [];
  for (const kb of SIZES_KB) {
    const h = await overHttp(kb);
    const p = runPeer(kb);
    const mb = (h.bytes / 2 ** 20).toFixed(1);
    rows.push({
      what: `HTTP add-messages, ${N} x ${kb} KB (${mb} MiB body)`,
      'answer s': (h.ms / 1000).toFixed(2),
      'RSS before MiB': Math.round(h.before.now),
      'peak RSS MiB': Math.round(h.after.peak),
      'peak - before MiB': Math.round(h.after.peak - h.before.now),
      goal: '200 well within 60 s',
    });
    rows.push({
      what: `peer: store.messages.enqueue, same batch, no HTTP`,
      'answer s': (p.ms / 1000).toFixed(2),
      'RSS before MiB': Math.round(p.before.now),
      'peak RSS MiB': Math.round(p.after.peak),
      'peak - before MiB': Math.round(p.after.peak - p.before.now),
      goal: '',
    });
  }
  report('Big classic batches (relay process from sources via tsx, paused: intake only)', rows);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
