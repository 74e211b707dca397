import {
  MESSAGE_STATES,
  tenantReportFailing,
  type AccountView,
  type MessageState,
  type MessagesPage,
  type ReportStatus,
  type Settings,
  type Stats,
  type TenantOverview,
  type TenantsOverview,
} from '../shared/api/index.js';

/** The `status` command's findings: problems decided from the relay's answers, and their text rendering. */

export interface StatusReport {
  url: string;
  healthy: boolean;
  problems: string[];
  notes: string[];
  health: unknown;
  mode: string | null;
  paused: boolean | null;
  counts: Record<MessageState, number> | null;
  accounts: AccountLine[] | null;
  report: ReportLine | null;
  errors: ErrorLine[] | null;
  /** per tenant, how its delivery reports stand; null or empty: no tenants (the classic single application) */
  tenants: TenantLine[] | null;
}

interface TenantLine {
  id: string;
  active: boolean;
  sync_url: string | null;
  state: 'inactive' | 'no endpoint' | 'failing' | 'never synced' | 'ok';
  last_sync_ts: number | null;
  last_ok_ts: number | null;
  last_error: string | null;
  pending: number | null;
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
  /** the application acknowledged this failure (it stays an error) */
  reported: boolean;
}

/** How many unreported errors `status` reads to count them ("100+" beyond). */
export const UNREPORTED_ERRORS_SHOWN = 100;

/** What the relay answered, each read with its contract; null where a route gave no 2xx. */
export interface Answers {
  /** GET /health: its body, or why it failed */
  health: { ok: true; body: unknown } | { ok: false; reason: string };
  /** routes that answered no 2xx, and why */
  unavailable: { path: string; reason: string }[];
  stats: Stats | null;
  accounts: { items: AccountView[] } | null;
  settings: Settings | null;
  errors: MessagesPage | null;
  /** GET /api/messages?state=error&reported=false: failures the application was not told of yet */
  unreportedErrors?: MessagesPage | null;
  /** GET /api/tenants (null: not available, e.g. an older relay) */
  tenants?: TenantsOverview | null;
}

/** Decides what is wrong (the problems) from what the relay answered. */
export function buildReport(base: string, a: Answers): StatusReport {
  const problems: string[] = [];
  const notes = a.unavailable.map((u) => `${u.path} not available (${u.reason})`);

  const healthy = a.health.ok;
  if (!a.health.ok) problems.push(`health check failed: ${a.health.reason}`);

  const paused = a.stats?.paused ?? a.settings?.paused ?? null;
  if (paused) problems.push('paused: dispatch and reporting are suspended (POST /commands/activate resumes)');
  const mode = a.stats?.delivery_mode ?? a.settings?.delivery_mode ?? null;

  const counts = a.stats?.counts ?? null;
  const unreported = unreportedErrorCount(a);
  if (unreported) problems.push(`${unreported} message(s) in error, not yet reported to the application`);

  const report = reportLine(a.stats?.report ?? null, a.settings?.client_sync_url ?? null);
  if (report?.state === 'failing') {
    const since = report.failing_since !== null ? ` since ${formatTs(report.failing_since)}` : '';
    problems.push(`reporting to the application failing${since}: ${report.last_error ?? 'unknown error'}`);
  }

  const tenants = a.tenants ? a.tenants.items.map(tenantLine) : null;
  for (const t of tenants ?? []) {
    if (t.state === 'failing') problems.push(`tenant ${t.id}: reporting to ${t.sync_url ?? 'its application'} failing: ${t.last_error ?? 'unknown error'}`);
  }

  return {
    url: base,
    healthy,
    problems,
    notes,
    health: a.health.ok ? a.health.body : null,
    mode,
    paused,
    counts,
    accounts: a.accounts ? accountLines(a.accounts.items, a.stats) : null,
    report,
    errors: a.errors
      ? a.errors.items.map((m) => ({ id: m.id, account_id: m.account_id, error_ts: m.error_ts, error: m.error ?? '', reported: m.reported_ts !== null }))
      : null,
    tenants,
  };
}

/** "3", "100+", or null for none; without that read (an older relay), every error counts. */
function unreportedErrorCount(a: Answers): string | null {
  const page = a.unreportedErrors;
  if (page) return page.items.length === 0 ? null : `${page.items.length}${page.next_cursor !== null ? '+' : ''}`;
  const n = a.stats?.counts.error ?? 0;
  return n > 0 ? String(n) : null;
}

/** A tenant's report state, as the tenants page shows it. */
function tenantLine(t: TenantOverview): TenantLine {
  const failing = tenantReportFailing(t);
  const state: TenantLine['state'] = !t.active ? 'inactive' : !t.sync_url ? 'no endpoint' : failing ? 'failing' : t.last_sync_ts === undefined ? 'never synced' : 'ok';
  return {
    id: t.id,
    active: t.active,
    sync_url: t.sync_url ?? null,
    state,
    last_sync_ts: t.last_sync_ts ?? null,
    last_ok_ts: t.last_ok_ts ?? null,
    last_error: t.last_error ?? null,
    pending: t.pending ?? null,
  };
}

/** The reporter's status as GET /api/stats carries it; only the sync URL when the stats are not available. */
function reportLine(status: ReportStatus | null, syncUrl: string | null): ReportLine | null {
  if (!status) return syncUrl ? { url: syncUrl, state: 'unknown', last: 'no report status available', failing_since: null, last_error: null, next_attempt_ts: null } : null;
  const last = status.last;
  let lastText = 'no sync yet';
  if (last) {
    const code = last.status !== undefined ? ` HTTP ${last.status}` : '';
    lastText = last.ok ? `${formatTs(last.ts)} acknowledged${code} (${last.sent} reported)` : `${formatTs(last.ts)} failed${code}: ${last.error ?? ''}`;
  }
  return {
    url: status.url ?? syncUrl,
    state: status.state,
    last: lastText,
    failing_since: status.failing_since,
    last_error: status.last_error ?? (last?.ok === false ? (last.error ?? null) : null),
    next_attempt_ts: status.next_attempt_ts,
  };
}

function accountLines(accounts: AccountView[], stats: Stats | null): AccountLine[] {
  const perAccount = new Map((stats?.accounts ?? []).map((c) => [c.account_id, c.counts]));
  return accounts.map((a) => {
    const c = perAccount.get(a.id);
    const queue = c ? MESSAGE_STATES.filter((s) => c[s]).map((s) => `${s} ${c[s]}`).join(', ') : '';
    return { id: a.id, server: `${a.host}:${a.port}`, limits: limitsText(a), queue };
  });
}

/** "minute 3/10, hour 40/100 (next free 12:00:05Z)": the live window state, for the windows with a limit. */
function limitsText(a: AccountView): string {
  const parts: string[] = [];
  for (const w of ['minute', 'hour', 'day'] as const) {
    const live = a.rate.find((r) => r.window === w);
    const limit = live?.limit ?? a[`limit_per_${w}`];
    if (limit === null || limit <= 0) continue;
    const nextFree = live?.next_free_ts ?? null;
    parts.push(`${w} ${live?.used ?? '?'}/${limit}${nextFree !== null ? ` (next free ${formatTs(nextFree)})` : ''}`);
  }
  return parts.length ? parts.join(', ') : 'no limits';
}

export function formatTs(ts: number): string {
  return `${new Date(ts * 1000).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

export function render(r: StatusReport): string {
  const lines: string[] = [];
  lines.push(`Genro Mail Relay at ${r.url}: ${r.problems.length ? 'PROBLEMS' : 'ok'}`);
  lines.push(`  mode ${r.mode ?? '?'}, ${r.paused ? 'paused' : r.paused === false ? 'running' : 'pause state unknown'}`);
  lines.push('', 'Queue');
  lines.push(r.counts ? `  ${MESSAGE_STATES.map((s) => `${s} ${r.counts![s]}`).join('  ')}` : '  not available');
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
  if (r.tenants?.length) {
    lines.push('', 'Tenants (delivery reports per application)');
    for (const t of r.tenants) {
      const last = t.last_sync_ts !== null ? `last sync ${formatTs(t.last_sync_ts)}` : 'never synced';
      const pending = t.pending !== null ? `, ${t.pending} pending` : '';
      lines.push(`  ${t.id}: ${t.state}  ${t.sync_url ?? '(no client_base_url)'}  ${last}${pending}`);
      if (t.state === 'failing') lines.push(`    error: ${t.last_error}${t.last_ok_ts !== null ? ` (last ok ${formatTs(t.last_ok_ts)})` : ''}`);
    }
  }
  lines.push('', 'Last errors');
  if (!r.errors) lines.push('  not available');
  else if (r.errors.length === 0) lines.push('  none');
  for (const e of r.errors ?? []) {
    const when = e.error_ts !== null ? formatTs(e.error_ts) : '?';
    lines.push(`  ${e.id}  ${e.account_id ?? '-'}  ${when}${e.reported ? '  (reported)' : ''}  ${e.error}`);
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
