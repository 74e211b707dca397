import type { MessageEvent } from '../../api/types.js';
import { formatDateTime, humanize, priorityName } from '../../lib/format.js';

export type Tone = 'info' | 'ok' | 'warn' | 'error';

export interface TimelineEntry {
  key: string;
  ts: number;
  title: string;
  tone: Tone;
  /** label/value lines shown under the title */
  lines: { label: string; value: string }[];
}

const REASONS: Record<string, string> = {
  scheduled: 'scheduled sending',
  rate_limited: 'account rate limit reached',
  retry: 'temporary failure, will retry',
  account_backoff: 'account backing off after failures',
};

/** why a leased message went back to the queue unsent (lease_expired events with a reason) */
const RETURN_REASONS: Record<string, string> = {
  shutdown: 'Returned to the queue: the relay was stopping',
  held: 'Returned to the queue: the sandbox sink is not listening',
  account_backoff: 'Returned to the queue unsent: the account is backing off',
  paused: 'Returned to the queue unsent: dispatch was paused',
};

function str(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Detail keys rendered by the specific cases below; any other key is listed as is. */
const CONSUMED = new Set([
  'reason', 'until', 'deferred_ts', 'next_ts', 'code', 'response', 'message', 'error', 'priority', 'sandbox', 'captured_id',
  'attempt', 'duration_ms', 'attempt_seconds', 'source_captured_id', 'account_id', 'account', 'retry_count', 'status',
  'rejected', 'recipients', 'failover', 'smtp_message_id', 'window', 'limit',
]);

interface RecipientLike {
  address?: unknown;
  code?: unknown;
  response?: unknown;
}

/** `a@x (550 no such user), b@y` */
function recipientList(v: unknown): string | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  return v
    .map((r: RecipientLike | string) => {
      if (typeof r === 'string') return r;
      const code = str(r.code);
      const response = str(r.response);
      const extra = response && code && response.startsWith(code) ? response : [code, response].filter(Boolean).join(' ');
      return `${str(r.address) ?? '?'}${extra ? ` (${extra})` : ''}`;
    })
    .join(', ');
}

/** Turns a timeline row into what the UI shows: a title, a tone and readable details. */
export function describeEvent(ev: MessageEvent, index = 0): TimelineEntry {
  const d = (ev.detail ?? {}) as Record<string, unknown>;
  const lines: { label: string; value: string }[] = [];
  let title = humanize(ev.type);
  let tone: Tone = 'info';

  const until = num(d.until) ?? num(d.deferred_ts) ?? num(d.next_ts);
  const code = num(d.code);
  const response = str(d.response) ?? str(d.message);
  const error = str(d.error);
  const reason = str(d.reason);

  switch (ev.type) {
    case 'queued':
      title = 'Queued';
      if (d.priority !== undefined) lines.push({ label: 'priority', value: priorityName(num(d.priority)) });
      if (until) lines.push({ label: 'scheduled for', value: formatDateTime(until) });
      break;
    case 'replaced':
      title = 'Replaced by a new submission';
      break;
    case 'attempt': {
      const n = num(d.attempt);
      title = `${n ? `Delivery attempt #${n}` : 'Delivery attempt'}${d.sandbox === true ? ' (sandbox)' : ''}`;
      tone = code !== null && code >= 500 ? 'error' : code !== null && code >= 400 ? 'warn' : error ? 'warn' : 'info';
      break;
    }
    case 'sent':
      title = d.sandbox === true ? 'Sent to the sandbox' : 'Sent';
      tone = 'ok';
      if (num(d.captured_id) !== null) lines.push({ label: 'captured as', value: `#${num(d.captured_id)}` });
      break;
    case 'error':
      title = 'Failed';
      tone = 'error';
      break;
    case 'reported':
      title = 'Reported to the application';
      tone = 'ok';
      break;
    case 'released':
      title = 'Released from the sandbox for real delivery';
      break;
    case 'captured':
      title = 'Captured by the sandbox';
      tone = 'ok';
      break;
    case 'lease_expired':
      title = RETURN_REASONS[str(d.reason) ?? ''] ?? 'Send lease expired, returned to the queue';
      tone = 'warn';
      break;
    case 'deleted':
      title = 'Deleted';
      tone = 'warn';
      break;
    case 'retry':
      title = ev.state === 'deferred' ? 'Retry scheduled' : 'Retry requested';
      tone = 'warn';
      break;
    case 'rate_limited':
      title = 'Rate limited';
      tone = 'warn';
      break;
    case 'scheduled':
      title = 'Scheduled';
      break;
    case 'due':
      title = 'Due: back in the queue';
      break;
    case 'deferred':
      title = 'Deferred';
      tone = 'warn';
      break;
  }
  const account = str(d.account);
  if (account) lines.push({ label: 'account', value: account });
  if (ev.type === 'rate_limited' && num(d.limit) !== null) {
    lines.push({ label: 'limit', value: `${num(d.limit)} per ${str(d.window) ?? 'window'}` });
  }
  if (ev.state === 'deferred' && ev.type !== 'queued') {
    if (reason) lines.push({ label: 'reason', value: REASONS[reason] ?? reason });
    if (until) lines.push({ label: 'until', value: formatDateTime(until) });
  } else if (reason) {
    lines.push({ label: 'reason', value: REASONS[reason] ?? reason });
  }
  if (code !== null) {
    lines.push({ label: 'SMTP', value: response ? (response.startsWith(String(code)) ? response : `${code} ${response}`) : String(code) });
  } else if (response) {
    lines.push({ label: /^\d{3}[ -]/.test(response) ? 'SMTP' : 'response', value: response });
  }
  if (error) lines.push({ label: 'error', value: error });
  const seconds = num(d.attempt_seconds) ?? (num(d.duration_ms) !== null ? num(d.duration_ms)! / 1000 : null);
  if (seconds !== null) lines.push({ label: 'took', value: `${seconds.toFixed(2)} s` });
  if (num(d.retry_count) !== null && num(d.retry_count)! > 0) lines.push({ label: 'retry', value: `#${num(d.retry_count)}` });
  const rejected = recipientList(d.rejected);
  if (rejected) lines.push({ label: 'rejected', value: rejected });
  const recipients = recipientList(d.recipients);
  if (recipients) lines.push({ label: 'recipients', value: recipients });
  if (Array.isArray(d.failover) && d.failover.length) lines.push({ label: 'failover', value: d.failover.map(String).join(' → ') });
  if (str(d.smtp_message_id)) lines.push({ label: 'Message-ID', value: str(d.smtp_message_id)! });
  if (num(d.source_captured_id) !== null) lines.push({ label: 'from capture', value: `#${num(d.source_captured_id)}` });
  for (const [k, v] of Object.entries(d)) {
    if (CONSUMED.has(k)) continue;
    const s = str(v);
    if (s !== null) lines.push({ label: humanize(k).toLowerCase(), value: s });
  }
  return { key: ev.seq !== undefined ? String(ev.seq) : `${ev.ts}-${index}`, ts: ev.ts, title, tone, lines };
}
