import { stripMarkup } from '../sink/strip-markup.js';
import type { DeliveryReportItem } from '../store/ports.js';
import { errorMessage } from '../errors.js';
import { RELAY_VERSION } from '../version.js';

/** Where and how to POST delivery reports (read from the runtime settings at each sync). */
export interface SyncTarget {
  url: string;
  user: string | null;
  password: string | null;
  token: string | null;
}

/** What the application answered to a 2xx sync. */
export interface SyncAnswer {
  status: number;
  /** the body was a JSON object */
  json: boolean;
  /** messages the application pushed to us during this sync (later protocol): > 0 means sync again at once */
  queued: number;
  /** do not call again for this many seconds (later protocol), null when not asked */
  nextSyncAfterSeconds: number | null;
  /** Genropy's lists of ids it recorded as failed deliveries / does not know */
  errorIds: string[];
  notFoundIds: string[];
  /** `error` was a string (Genropy's refused login answers 200 with it): one line, shortened */
  errorText: string | null;
}

/** A sync that did not get a 2xx answer; nothing it carried counts as reported. */
export class SyncFailure extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SyncFailure';
  }
}

const MAX_ANSWER_BYTES = 1024 * 1024;
const SNIPPET_CHARS = 200;

/** POSTs `{"delivery_report": items}` and interprets the answer; throws SyncFailure unless 2xx. */
export async function postDeliveryReport(
  target: SyncTarget,
  items: DeliveryReportItem[],
  opts: { timeoutMs: number; signal?: AbortSignal; nowSec: number },
): Promise<SyncAnswer> {
  const { url, headers } = requestParts(target);
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  let res: Response;
  let body: string;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ delivery_report: items }),
      signal,
      // a redirect (typically to a login page) is not an acknowledgement
      redirect: 'manual',
    });
    body = await readCapped(res);
  } catch (err) {
    if (timeout.aborted) throw new SyncFailure(`no answer within ${opts.timeoutMs} ms`);
    if (opts.signal?.aborted) throw new SyncFailure('aborted');
    throw new SyncFailure(describeNetworkError(err));
  }
  if (res.status < 200 || res.status > 299) {
    throw new SyncFailure(describeHttpFailure(res, body), res.status);
  }
  return interpretAnswer(res.status, body, opts.nowSec);
}

function requestParts(target: SyncTarget): { url: string; headers: Record<string, string> } {
  let parsed: URL;
  try {
    parsed = new URL(target.url);
  } catch {
    throw new SyncFailure(`invalid client_sync_url '${target.url}'`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SyncFailure(`client_sync_url must be http(s), got '${parsed.protocol}'`);
  }
  // fetch refuses URLs with credentials: they become Basic auth unless auth is configured explicitly
  const urlUser = decodeURIComponent(parsed.username);
  const urlPassword = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'User-Agent': `genro-mail-relay/${RELAY_VERSION}`,
  };
  if (target.token) headers.Authorization = `Bearer ${target.token}`;
  else if (target.user) headers.Authorization = basic(target.user, target.password ?? '');
  else if (urlUser) headers.Authorization = basic(urlUser, urlPassword);
  return { url: parsed.toString(), headers };
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** Reads at most MAX_ANSWER_BYTES of the answer (an acknowledgement is small; the rest is dropped). */
async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) return cause.message || (cause as { code?: string }).code || errorMessage(err);
  return errorMessage(err);
}

function describeHttpFailure(res: Response, body: string): string {
  const head = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  if (res.status >= 300 && res.status < 400) {
    const location = res.headers.get('location');
    return location ? `${head} (redirect to ${location})` : head;
  }
  const snippet = bodySnippet(body, res.headers.get('content-type') ?? '');
  return snippet ? `${head}: ${snippet}` : head;
}

/** An error page is read this far for its title or text. */
const MAX_SCANNED_HTML = 256 * 1024;

function titleOf(html: string): string | null {
  const lower = html.toLowerCase();
  const open = lower.indexOf('<title');
  const start = open < 0 ? -1 : lower.indexOf('>', open);
  const end = start < 0 ? -1 : lower.indexOf('</title>', start);
  return end < 0 ? null : html.slice(start + 1, end);
}

/** A one-line excerpt of an error body: an HTML page is reduced to its title or its text. */
export function bodySnippet(body: string, contentType: string): string {
  let text = body;
  if (/html/i.test(contentType) || /^\s*</.test(body)) {
    // linear scans only: a lazy `<script[\s\S]*?</script>` regex rescans from each unclosed opening
    const page = body.slice(0, MAX_SCANNED_HTML);
    text = titleOf(page) ?? stripMarkup(page);
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS)}…` : text;
}

/** What a 2xx answer says; whether it acknowledges is decided by sync-decisions.ts. */
export function interpretAnswer(status: number, body: string, nowSec: number): SyncAnswer {
  const answer: SyncAnswer = { status, json: false, queued: 0, nextSyncAfterSeconds: null, errorIds: [], notFoundIds: [], errorText: null };
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return answer;
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return answer;
  const o = data as Record<string, unknown>;
  answer.json = true;
  const queued = Number(o.queued);
  if (Number.isFinite(queued) && queued > 0) answer.queued = Math.floor(queued);
  answer.nextSyncAfterSeconds = parseNextSyncAfter(o.next_sync_after, nowSec);
  answer.errorIds = idList(o.error);
  answer.notFoundIds = idList(o.not_found);
  if (typeof o.error === 'string') answer.errorText = bodySnippet(o.error, 'text/plain') || '(empty)';
  return answer;
}

function idList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x) => typeof x === 'string' || typeof x === 'number').map(String) : [];
}

/**
 * `next_sync_after` as seconds to wait: an epoch timestamp (seconds, or an ISO date), or a
 * relative number of seconds when the value is too small to be a timestamp.
 */
export function parseNextSyncAfter(v: unknown, nowSec: number): number | null {
  if (v === null || v === undefined || v === '' || typeof v === 'boolean') return null;
  let n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (Number.isNaN(n) && typeof v === 'string') {
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) return null;
    n = ms / 1000;
  }
  if (!Number.isFinite(n)) return null;
  const seconds = n >= 1e9 ? n - nowSec : n;
  return seconds > 0 ? Math.ceil(seconds) : null;
}
