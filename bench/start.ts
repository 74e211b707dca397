/**
 * Start time and idle memory: launches the BUILT headless relay (`node out/main/cli.js serve`, what
 * `npm run serve` runs once built) N times and measures launch -> first 200 from /health, the CPU the
 * process used until then (user + system: steadier than wall time on a shared machine), its RSS right
 * then and after --idle-seconds idle (default 10; the issue's figure is 30). A first start has an empty data
 * dir and no V8 code cache (a fresh install); a restart has both from one earlier run, which waited for the
 * cache to be written (when the build writes one). Side by side in the same run:
 * a bare `node -e` http server answering /health (node's own floor), `npm run serve`'s wrapper
 * (scripts/start.mjs --headless) and the relay from the sources through tsx (time only).
 * `npm run build` first when out/ is stale.
 *   npm run bench:start -- --runs 7 --idle-seconds 30
 *   RELAY_CLI_BEFORE=<older build>/out/main/cli.js npm run bench:start   (adds its rows beside ours)
 *   RELAY_CLI=<other build>/out/main/cli.js npm run bench:start          (measures that build instead)
 *   npm run bench:start -- --only restart     (the floor and the rows whose name contains the word)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { arg, report, tempDir } from './lib.js';

const RUNS = arg('runs', 7);
const IDLE_SECONDS = arg('idle-seconds', 10);
const ROOT = path.resolve(import.meta.dirname, '..');
// RELAY_CLI: another build to compare (e.g. an older commit's out/main/cli.js)
const CLI = process.env.RELAY_CLI ? path.resolve(process.env.RELAY_CLI) : path.join(ROOT, 'out/main/cli.js');
const BEFORE = process.env.RELAY_CLI_BEFORE ? path.resolve(process.env.RELAY_CLI_BEFORE) : null;
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt >= 0 ? process.argv[onlyAt + 1] : null;

const FLOOR = `const s=require('node:http').createServer((q,r)=>{r.writeHead(q.url==='/health'?200:404,{'content-type':'application/json'});r.end('{"status":"ok"}')});
s.listen(0,'127.0.0.1',()=>console.log('API: http://127.0.0.1:'+s.address().port));process.on('SIGTERM',()=>process.exit(0));`;

interface Subject {
  name: string;
  args: () => string[];
  rss: boolean;
  /** started and stopped once before the timed launch (a restart: its data dir, TLS cert and schema exist) */
  warm?: boolean;
  /** the build writes a code cache (out/main/cli-bundle.cjs beside cli.js): the warm run waits for it */
  codeCache?: boolean;
}

const relayArgs = (cli: string, dir: string) => [cli, 'serve', '--port', '0', '--smtp-port', '0', '--data-dir', dir];
const SERVE_ARGS = ['--port', '0', '--smtp-port', '0'];
let warmDir = '';

/** First start and restart of one build, named by its path relative to the project. */
const relayRows = (cli: string, label: string): Subject[] => [
  { name: `${label}: first start (empty data dir, no code cache)`, args: () => relayArgs(cli, tempDir()), rss: true },
  {
    name: `${label}: restart (data dir and code cache from a run before)`,
    args: () => relayArgs(cli, warmDir),
    rss: true,
    warm: true,
    codeCache: fs.existsSync(path.join(path.dirname(cli), 'cli-bundle.cjs')),
  },
];

const SUBJECTS: Subject[] = [
  { name: 'bare node http server (floor)', args: () => ['-e', FLOOR], rss: true },
  ...(BEFORE ? relayRows(BEFORE, `before (${BEFORE})`) : []),
  ...relayRows(CLI, `node ${path.relative(ROOT, CLI)} serve`),
  {
    name: 'npm run serve (scripts/start.mjs --headless, built)',
    args: () => [path.join(ROOT, 'scripts/start.mjs'), '--headless', ...SERVE_ARGS, '--data-dir', tempDir()],
    rss: false,
  },
  {
    name: 'from the sources (tsx src/cli/index.ts serve), first start',
    args: () => [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'src/cli/index.ts'), 'serve', ...SERVE_ARGS, '--data-dir', tempDir()],
    rss: false,
  },
];

/** User + system CPU the process has used, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function healthOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/health`, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
  });
}

/** Spawns one subject; resolves when /health first answers 200, with the ms since the spawn call. */
async function launch(s: Subject, cacheHome = tempDir()): Promise<{ child: ChildProcess; ms: number; cpu: number; rss: number }> {
  if (s.warm) {
    warmDir = tempDir();
    const first = await launch({ ...s, warm: false }, cacheHome);
    // the code cache is written 2 s after a start
    const cacheDir = path.join(cacheHome, 'genro-mail-relay');
    const cached = () => fs.existsSync(cacheDir) && fs.readdirSync(cacheDir).some((f) => f.endsWith('.v8cache'));
    for (let t = 0; s.codeCache && t < 30_000 && !cached(); t += 50) await new Promise((r) => setTimeout(r, 50));
    await new Promise((res) => (first.child.once('exit', res), first.child.kill('SIGTERM')));
  }
  const t0 = performance.now();
  const env = { ...process.env, GMP_LOG_LEVEL: 'warn', XDG_CACHE_HOME: cacheHome };
  const child = spawn(process.execPath, s.args(), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (c) => reject(new Error(`${s.name} exited (${c})`)));
  });
  while (!(await healthOk(url))) await new Promise((r) => setTimeout(r, 2));
  const ms = performance.now() - t0;
  child.stdout!.resume();
  return { child, ms, cpu: s.rss ? cpuMs(child.pid!) : NaN, rss: s.rss ? rssMiB(child.pid!) : NaN };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[], unit: string) => (xs.some(Number.isNaN) ? '-' : `${median(xs).toFixed(0)} / ${Math.min(...xs).toFixed(0)} ${unit}`);

async function main() {
  if (!fs.existsSync(CLI)) throw new Error('out/main/cli.js is missing: run npm run build first');
  const rows = [];
  for (const s of SUBJECTS.filter((x, i) => i === 0 || !ONLY || x.name.includes(ONLY))) {
    const runs: Array<{ child: ChildProcess; ms: number; cpu: number; rss: number }> = [];
    // started one after another; all idle together afterwards (an idle relay takes no CPU)
    for (let i = 0; i < RUNS; i++) runs.push(await launch(s));
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const idle = runs.map((r) => (s.rss ? rssMiB(r.child.pid!) : NaN));
    await Promise.all(runs.map((r) => new Promise((res) => (r.child.once('exit', res), r.child.kill('SIGTERM')))));
    rows.push({
      what: s.name,
      'launch -> /health 200 (median / min)': fmt(runs.map((r) => r.ms), 'ms'),
      'CPU until then (median / min)': fmt(runs.map((r) => r.cpu), 'ms'),
      'RSS at /health (median / min)': fmt(runs.map((r) => r.rss), 'MiB'),
      [`RSS after ${IDLE_SECONDS} s idle (median / min)`]: fmt(idle, 'MiB'),
    });
  }
  report(`Start time and idle memory (${RUNS} runs each, idle wait ${IDLE_SECONDS} s, relay ${path.relative(ROOT, CLI)})`, rows);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
