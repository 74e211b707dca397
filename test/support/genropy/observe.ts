/** What a test can see of the double: every HTTP exchange in both directions, and counters. */

/** `in`: the relay called the application; `out`: the application's client called the relay. */
export type Direction = 'in' | 'out';

export interface BodySummary {
  bytes: number;
  /** the parsed body when it was JSON, else undefined */
  json?: unknown;
  /** a one-line description: the JSON's shape or the first characters of the text */
  summary: string;
}

export interface Exchange {
  seq: number;
  direction: Direction;
  method: string;
  /** path with its query string */
  path: string;
  headers: Record<string, string>;
  request: BodySummary;
  /** outgoing calls: how long the client waits, in seconds (before timeScale) */
  timeoutS?: number;
  /** null when no answer came (timeout, connection error, a hanging answer) */
  status: number | null;
  response: BodySummary | null;
  /** why the exchange failed or was refused (auth reason, network error, fault injected) */
  note?: string;
  startedAt: number;
  durationMs: number | null;
}

export interface Counters {
  syncs: number;
  syncAuthFailures: number;
  syncFailures: number;
  reportedSent: number;
  reportedError: number;
  reportedNotFound: number;
  transientRetries: number;
  pushedMessages: number;
  addMessagesCalls: number;
  addMessagesFailures: number;
  runNowCalls: number;
  attachmentRequests: number;
  attachmentAuthFailures: number;
  attachmentsServed: number;
  attachmentFaults: number;
  /** the most proxy_sync requests that were open at the same time */
  maxConcurrentSyncs: number;
}

export function newCounters(): Counters {
  return {
    syncs: 0,
    syncAuthFailures: 0,
    syncFailures: 0,
    reportedSent: 0,
    reportedError: 0,
    reportedNotFound: 0,
    transientRetries: 0,
    pushedMessages: 0,
    addMessagesCalls: 0,
    addMessagesFailures: 0,
    runNowCalls: 0,
    attachmentRequests: 0,
    attachmentAuthFailures: 0,
    attachmentsServed: 0,
    attachmentFaults: 0,
    maxConcurrentSyncs: 0,
  };
}

/** Describes a body: JSON parsed when it parses, a short text otherwise. */
export function summarise(raw: Buffer | string, contentType = ''): BodySummary {
  const buf = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  if (buf.length === 0) return { bytes: 0, summary: '(empty)' };
  const text = /octet-stream/i.test(contentType) ? null : buf.toString('utf8');
  if (text !== null) {
    try {
      const json: unknown = JSON.parse(text);
      return { bytes: buf.length, json, summary: shape(json) };
    } catch {
      return { bytes: buf.length, summary: text.length > 120 ? `${text.slice(0, 120)}…` : text };
    }
  }
  return { bytes: buf.length, summary: `(${buf.length} bytes)` };
}

function shape(json: unknown): string {
  if (Array.isArray(json)) return `[${json.length} items]`;
  if (json && typeof json === 'object') {
    return `{${Object.entries(json)
      .map(([k, v]) => (Array.isArray(v) ? `${k}: [${v.length}]` : `${k}: ${JSON.stringify(v)?.slice(0, 60)}`))
      .join(', ')}}`;
  }
  return JSON.stringify(json);
}

/** The exchange log, shared by the application's server and its client. */
export class ExchangeLog {
  readonly entries: Exchange[] = [];
  private seq = 0;

  open(e: Omit<Exchange, 'seq' | 'status' | 'response' | 'startedAt' | 'durationMs'>): Exchange {
    const entry: Exchange = { ...e, seq: ++this.seq, status: null, response: null, startedAt: Date.now(), durationMs: null };
    this.entries.push(entry);
    return entry;
  }

  close(e: Exchange, status: number | null, response: BodySummary | null, note?: string): void {
    e.status = status;
    e.response = response;
    if (note !== undefined) e.note = note;
    e.durationMs = Date.now() - e.startedAt;
  }

  /** Exchanges in one direction whose path (without query) ends with `suffix`. */
  find(direction: Direction, suffix: string): Exchange[] {
    return this.entries.filter((e) => e.direction === direction && e.path.split('?')[0].endsWith(suffix));
  }
}

/** Polls until a predicate holds: the suites' one poll helper. */
export { waitFor } from '../common/wait.js';
