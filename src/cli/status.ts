import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

/**
 * `status`: reads a running relay's API (health, queue by state, accounts and their limits, the
 * last delivery report, the last errors) and exits non-zero when something is wrong.
 * Exit codes: 0 all well; 1 problems found; 2 cannot check (unreachable, unauthorized, bad arguments).
 */

export const STATUS_USAGE = `usage: relay status [--url http://127.0.0.1:8000] [--token T] [--data-dir DIR] [--json] [--timeout SECONDS]

Checks a running relay. The token comes from --token, else GMP_API_TOKEN, else DIR/api-token
(DIR: --data-dir, else GMP_DATA_DIR, else ./data).
Exit codes: 0 all well; 1 problems found (paused, reporting failing, messages in error);
2 cannot check (unreachable, unauthorized, bad arguments).
`;

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_CANNOT_CHECK = 2;

export interface StatusIo {
  out?: (text: string) => void;
  err?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
}

type Json = Record<string, unknown>;

/** One GET: the parsed body, or why there is none. */
type Fetched = { ok: true; body: unknown } | { ok: false; status?: number; reason: string };

interface StatusReport {
  url: string;
  healthy: boolean;
  problems: string[];
  notes: string[];
  health: unknown;
  mode: string | null;
  paused: boolean | null;
  counts: Record<string, number> | null;
  accounts: AccountLine[] | null;
  report: ReportLine | null;
  errors: ErrorLine[] | null;
}

interface AccountLine {
  id: string;
  server: string;
  limits: string;
  queue: string;
}

interface ReportLine {
  url: string | null;
  state: string;
  last: string;
  failing_since: number | null;
  last_error: string | null;
  next_attempt_ts: number | null;
}

interface ErrorLine {
  id: string;
  account_id: string | null;
  error_ts: number | null;
  error: string;
}

const STATES = ['queued', 'deferred', 'sending', 'sent', 'error', 'reported'];

export async function statusCommand(argv: string[], io: StatusIo = {}): Promise<number> {
  const out = io.out ?? ((s: string) => void process.stdout.write(s));
  const err = io.err ?? ((s: string) => void process.stderr.write(s));
  const env = io.env ?? process.env;

  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        url: { type: 'string', default: 'http://127.0.0.1:8000' },
        token: { type: 'string' },
        'data-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
        timeout: { type: 'string', default: '5' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    err(`${(e as Error).message}\n${STATUS_USAGE}`);
    return EXIT_CANNOT_CHECK;
  }
  if (args.help) {
    out(STATUS_USAGE);
    return EXIT_OK;
  }
  const timeoutMs = Number(args.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    err(`--timeout must be a positive number of seconds\n`);
    return EXIT_CANNOT_CHECK;
  }
  let base: string;
  try {
    const u = new URL(args.url!);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
    base = u.toString().replace(/\/+$/, '');
  } catch {
    err(`--url must be an http(s) URL, got '${args.url}'\n`);
    return EXIT_CANNOT_CHECK;
  }
  const token = resolveToken(args.token, args['data-dir'], env);
  const get = (p: string, auth: boolean) => fetchJson(`${base}${p}`, auth ? token : null, timeoutMs);

  const health = await get('/health', false);
  if (!health.ok && health.status === undefined) {
    err(`relay unreachable at ${base}: ${health.reason}\n`);
    return EXIT_CANNOT_CHECK;
  }
  const [stats, accounts, settings, errors] = await Promise.all([
    get('/api/stats', true),
    get('/api/accounts', true),
    get('/api/settings', true),
    get('/api/messages?state=error&limit=5', true),
  ]);
  if ([stats, accounts, settings, errors].some((r) => !r.ok && r.status === 401)) {
    err(
      token
        ? `unauthorized: the relay at ${base} refused the token\n`
        : `unauthorized: no token given (use --token, GMP_API_TOKEN or --data-dir with an api-token file)\n`,
    );
    return EXIT_CANNOT_CHECK;
  }

  const report = buildReport(base, health, stats, accounts, settings, errors);
  out(args.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
  return report.problems.length > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

function resolveToken(flag: string | undefined, dataDirFlag: string | undefined, env: NodeJS.ProcessEnv): string | null {
  if (flag?.trim()) return flag.trim();
  if (env.GMP_API_TOKEN?.trim()) return env.GMP_API_TOKEN.trim();
  const dir = dataDirFlag ?? env.GMP_DATA_DIR ?? './data';
  try {
    const t = fs.readFileSync(path.join(dir, 'api-token'), 'utf8').trim();
    return t || null;
  } catch {
    return null;
  }
}

async function fetchJson(url: string, token: string | null, timeoutMs: number): Promise<Fetched> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { Accept: 'application/json', ...(token ? { 'X-API-Token': token } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    const reason = (e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (cause ?? (e as Error).message);
    return { ok: false, reason };
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    let reason = `HTTP ${res.status}`;
    try {
      const m = (JSON.parse(text) as { error?: { message?: string } }).error?.message;
      if (m) reason += `: ${m}`;
    } catch {
      // not JSON
    }
    return { ok: false, status: res.status, reason };
  }
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false, status: res.status, reason: 'answer is not JSON' };
  }
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Counts by state, wherever the stats route puts them. */
function findCounts(stats: unknown): Record<string, number> | null {
  if (!isObject(stats)) return null;
  for (const candidate of [stats.counts, stats.by_state, stats.states, stats.messages, stats]) {
    if (isObject(candidate) && STATES.some((s) => num(candidate[s]) !== null)) {
      return Object.fromEntries(STATES.map((s) => [s, num(candidate[s]) ?? 0]));
    }
  }
  return null;
}

function listOf(body: unknown, ...keys: string[]): Json[] | null {
  if (Array.isArray(body)) return body.filter(isObject);
  if (isObject(body)) for (const k of keys) if (Array.isArray(body[k])) return (body[k] as unknown[]).filter(isObject);
  return null;
}

function buildReport(base: string, health: Fetched, stats: Fetched, accounts: Fetched, settings: Fetched, errors: Fetched): StatusReport {
  const problems: string[] = [];
  const notes: string[] = [];
  const statsBody = stats.ok ? stats.body : null;
  const settingsBody = settings.ok && isObject(settings.body) ? settings.body : null;

  const healthy = health.ok && isObject(health.body) && health.body.status === 'ok';
  if (!healthy) problems.push(`health check failed: ${health.ok ? JSON.stringify(health.body) : health.reason}`);
  for (const [name, r] of [['/api/stats', stats], ['/api/accounts', accounts], ['/api/settings', settings], ['/api/messages', errors]] as const) {
    if (!r.ok) notes.push(`${name} not available (${r.reason})`);
  }

  const pausedValue = isObject(statsBody) && typeof statsBody.paused === 'boolean' ? statsBody.paused : typeof settingsBody?.paused === 'boolean' ? settingsBody.paused : null;
  if (pausedValue) problems.push('paused: dispatch and reporting are suspended (POST /commands/activate resumes)');
  const mode = str(isObject(statsBody) ? statsBody.delivery_mode : null) ?? str(settingsBody?.delivery_mode);

  const counts = findCounts(statsBody);
  if (counts && counts.error > 0) problems.push(`${counts.error} message(s) in error, not yet reported to the application`);

  const report = reportLine(statsBody, settingsBody);
  if (report?.state === 'failing') {
    const since = report.failing_since !== null ? ` since ${formatTs(report.failing_since)}` : '';
    problems.push(`reporting to the application failing${since}: ${report.last_error ?? 'unknown error'}`);
  }

  return {
    url: base,
    healthy,
    problems,
    notes,
    health: health.ok ? health.body : null,
    mode,
    paused: pausedValue,
    counts,
    accounts: accountLines(accounts.ok ? accounts.body : null, statsBody),
    report,
    errors: errorLines(errors.ok ? errors.body : null),
  };
}

/** The reporter's status as GET /api/stats (or /api/settings) carries it: a full status or just the last outcome. */
function reportLine(stats: unknown, settings: Json | null): ReportLine | null {
  const raw = (isObject(stats) && isObject(stats.report) ? stats.report : null) ?? (isObject(settings?.report) ? (settings!.report as Json) : null);
  const url = str(raw?.url) ?? str(settings?.client_sync_url);
  if (!raw) return url ? { url, state: 'unknown', last: 'no report status available', failing_since: null, last_error: null, next_attempt_ts: null } : null;
  const last = isObject(raw.last) ? raw.last : 'ok' in raw ? raw : null;
  const state = str(raw.state) ?? (last ? (last.ok === false ? 'failing' : 'ok') : url ? 'idle' : 'disabled');
  let lastText = 'no sync yet';
  if (last) {
    const when = num(last.ts) !== null ? formatTs(num(last.ts)!) : '?';
    const status = num(last.status) !== null ? ` HTTP ${num(last.status)}` : '';
    lastText = last.ok === false ? `${when} failed${status}: ${str(last.error) ?? ''}` : `${when} acknowledged${status} (${num(last.sent) ?? 0} reported)`;
  }
  return {
    url,
    state,
    last: lastText,
    failing_since: num(raw.failing_since),
    last_error: str(raw.last_error) ?? (last?.ok === false ? str(last.error) : null),
    next_attempt_ts: num(raw.next_attempt_ts),
  };
}

function accountLines(body: unknown, stats: unknown): AccountLine[] | null {
  const list = listOf(body, 'items', 'accounts');
  if (!list) return null;
  const perAccount = new Map<string, Json>();
  for (const a of listOf(isObject(stats) ? stats.accounts : null) ?? []) {
    const id = str(a.account_id);
    if (id && isObject(a.counts)) perAccount.set(id, a.counts);
  }
  return list.map((a) => {
    const id = str(a.id) ?? '?';
    const host = str(a.host);
    const server = host ? `${host}:${num(a.port) ?? '?'}` : '';
    const c = perAccount.get(id);
    const queue = c ? STATES.filter((s) => num(c[s])).map((s) => `${s} ${c[s]}`).join(', ') : '';
    return { id, server, limits: limitsText(a), queue };
  });
}

/** "minute 3/10, hour 40/100 (next free 12:00:05Z)": live state when the API gives it, else the configured limits. */
function limitsText(a: Json): string {
  const windows = ['minute', 'hour', 'day'];
  const live = ['rate_limits', 'rate_limit', 'limits', 'rate', 'windows'].map((k) => a[k]).find((v) => Array.isArray(v) || isObject(v));
  const parts: string[] = [];
  for (const w of windows) {
    let used: number | null = null;
    let limit = num(a[`limit_per_${w}`]);
    let nextFree: number | null = null;
    const entry = Array.isArray(live) ? (live as unknown[]).find((e) => isObject(e) && e.window === w) : isObject(live) ? live[w] : null;
    if (isObject(entry)) {
      used = num(entry.used);
      limit = num(entry.limit) ?? limit;
      nextFree = num(entry.next_free_ts);
    }
    if (limit === null || limit <= 0) continue;
    parts.push(`${w} ${used ?? '?'}/${limit}${nextFree !== null ? ` (next free ${formatTs(nextFree)})` : ''}`);
  }
  return parts.length ? parts.join(', ') : 'no limits';
}

function errorLines(body: unknown): ErrorLine[] | null {
  const list = listOf(body, 'items', 'messages');
  if (!list) return null;
  return list.map((m) => ({
    id: str(m.id) ?? '?',
    account_id: str(m.account_id),
    error_ts: num(m.error_ts),
    error: str(m.error) ?? '',
  }));
}

function formatTs(ts: number): string {
  return `${new Date(ts * 1000).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

function render(r: StatusReport): string {
  const lines: string[] = [];
  lines.push(`Genro Mail Relay at ${r.url}: ${r.problems.length ? 'PROBLEMS' : 'ok'}`);
  lines.push(`  mode ${r.mode ?? '?'}, ${r.paused ? 'paused' : r.paused === false ? 'running' : 'pause state unknown'}`);
  lines.push('', 'Queue');
  lines.push(r.counts ? `  ${STATES.map((s) => `${s} ${r.counts![s]}`).join('  ')}` : '  not available');
  lines.push('', 'Accounts');
  if (!r.accounts) lines.push('  not available');
  else if (r.accounts.length === 0) lines.push('  none configured');
  for (const a of r.accounts ?? []) {
    lines.push(`  ${a.id}${a.server ? `  ${a.server}` : ''}  ${a.limits}${a.queue ? `  [${a.queue}]` : ''}`);
  }
  lines.push('', 'Reporting to the application (proxy_sync)');
  if (!r.report || r.report.state === 'disabled') lines.push('  not configured (no client_sync_url)');
  else {
    lines.push(`  ${r.report.url ?? '(no URL)'}: ${r.report.state}`);
    lines.push(`  last: ${r.report.last}`);
    if (r.report.next_attempt_ts !== null) lines.push(`  next: ${formatTs(r.report.next_attempt_ts)}`);
  }
  lines.push('', 'Last errors');
  if (!r.errors) lines.push('  not available');
  else if (r.errors.length === 0) lines.push('  none');
  for (const e of r.errors ?? []) {
    lines.push(`  ${e.id}  ${e.account_id ?? '-'}  ${e.error_ts !== null ? formatTs(e.error_ts) : '?'}  ${e.error}`);
  }
  if (r.notes.length) {
    lines.push('', 'Notes');
    for (const n of r.notes) lines.push(`  ${n}`);
  }
  if (r.problems.length) {
    lines.push('', 'Problems');
    for (const p of r.problems) lines.push(`  - ${p}`);
  }
  return `${lines.join('\n')}\n`;
}
