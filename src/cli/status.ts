import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { accountsPage, describeIssues, healthAnswer, messagesPage, settingsView, statsAnswer, tenantsOverview } from '../shared/api/index.js';
import { UNREPORTED_ERRORS_SHOWN, buildReport, render } from './status-report.js';

/**
 * `status`: reads a running relay's API (health, queue by state, accounts and their limits, the
 * last delivery report, the last errors) and exits non-zero when something is wrong.
 * Exit codes: 0 all well; 1 problems found; 2 cannot check (unreachable, unauthorized, bad arguments,
 * an answer out of the API's contract).
 */

export const STATUS_USAGE = `usage: relay status [--url http://127.0.0.1:8000] [--token T] [--data-dir DIR] [--json] [--timeout SECONDS]

Checks a running relay. The token comes from --token, else GMP_API_TOKEN, else DIR/api-token
(DIR: --data-dir, else GMP_DATA_DIR, else ./data).
Exit codes: 0 all well; 1 problems found (paused, reporting failing, messages in error);
2 cannot check (unreachable, unauthorized, bad arguments, an answer it cannot read).
`;

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_CANNOT_CHECK = 2;

export interface StatusIo {
  out?: (text: string) => void;
  err?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** One GET: the parsed body, or why there is none (`malformed`: a 2xx that is not JSON). */
type Fetched = { ok: true; body: unknown } | { ok: false; status?: number; reason: string; malformed?: true };

/** One GET read with its contract: the answer, null when the route answered no 2xx, or out of contract. */
type Read<T> = { ok: true; data: T | null } | { ok: false; error: string };

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
  const [stats, accounts, settings, errors, unreported, tenants] = await Promise.all([
    get('/api/stats', true),
    get('/api/accounts', true),
    get('/api/settings', true),
    get('/api/messages?state=error&limit=5', true),
    // errors the application has not heard of yet: the problem; reported ones stay errors, listed above
    get(`/api/messages?state=error&reported=false&limit=${UNREPORTED_ERRORS_SHOWN}`, true),
    get('/api/tenants', true),
  ]);
  if ([stats, accounts, settings, errors, unreported, tenants].some((r) => !r.ok && r.status === 401)) {
    err(
      token
        ? `unauthorized: the relay at ${base} refused the token\n`
        : `unauthorized: no token given (use --token, GMP_API_TOKEN or --data-dir with an api-token file)\n`,
    );
    return EXIT_CANNOT_CHECK;
  }

  // an answer out of contract means a relay this command cannot read: say which, and stop
  const reads = {
    '/health': readWith(healthAnswer, health),
    '/api/stats': readWith(statsAnswer, stats),
    '/api/accounts': readWith(accountsPage, accounts),
    '/api/settings': readWith(settingsView, settings),
    '/api/messages': readWith(messagesPage, errors),
    '/api/messages?reported=false': readWith(messagesPage, unreported),
    '/api/tenants': readWith(tenantsOverview, tenants),
  };
  for (const [p, r] of Object.entries(reads)) {
    if (!r.ok) {
      err(`unexpected answer from ${base}${p}: ${r.error}\n`);
      return EXIT_CANNOT_CHECK;
    }
  }
  const data = <T>(r: Read<T>): T | null => (r.ok ? r.data : null);
  const routes = { '/api/stats': stats, '/api/accounts': accounts, '/api/settings': settings, '/api/messages': errors };
  // an older relay has no /api/tenants: no tenants section, and no note about it
  const tenantsRead = data(reads['/api/tenants']);
  const report = buildReport(base, {
    health: health.ok ? health : { ok: false, reason: health.reason },
    unavailable: Object.entries(routes).flatMap(([p, r]) => (r.ok ? [] : [{ path: p, reason: r.reason }])),
    stats: data(reads['/api/stats']),
    accounts: data(reads['/api/accounts']),
    settings: data(reads['/api/settings']),
    errors: data(reads['/api/messages']),
    unreportedErrors: data(reads['/api/messages?reported=false']),
    tenants: tenantsRead,
  });
  out(args.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
  return report.problems.length > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

function readWith<S extends z.ZodType>(schema: S, fetched: Fetched): Read<z.infer<S>> {
  if (!fetched.ok) return fetched.malformed ? { ok: false, error: fetched.reason } : { ok: true, data: null };
  const r = schema.safeParse(fetched.body);
  return r.success ? { ok: true, data: r.data } : { ok: false, error: describeIssues(r.error) };
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
    return { ok: false, status: res.status, reason: 'the answer is not JSON', malformed: true };
  }
}
