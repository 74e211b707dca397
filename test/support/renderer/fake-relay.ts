import { RelayApi } from '../../../src/renderer/src/api/client.js';
import type { AccountView, Settings, Stats } from '../../../src/renderer/src/api/types.js';
import { EventStream, type EventSourceLike } from '../../../src/renderer/src/api/event-stream.js';

export type Handler = (url: URL, init: RequestInit) => unknown;

/** A fetch that answers from a route table ("METHOD /path" -> JSON body or Response) and records calls. */
export function fakeFetch(routes: Record<string, Handler>) {
  const calls: { method: string; url: URL; init: RequestInit }[] = [];
  const fetchImpl = async (input: string, init: RequestInit = {}) => {
    const url = new URL(input, 'http://relay.test');
    const method = (init.method ?? 'GET').toUpperCase();
    calls.push({ method, url, init });
    const handler = routes[`${method} ${url.pathname}`];
    if (!handler) return new Response(JSON.stringify({ error: { code: 'not_found', message: `no route ${method} ${url.pathname}` } }), { status: 404 });
    const out = handler(url, init);
    if (out instanceof Response) return out;
    return new Response(JSON.stringify(out ?? {}), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  return { fetchImpl, calls };
}

/** An EventSource stand-in the test drives by hand. */
export class FakeEventSource implements EventSourceLike {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  onopen: ((ev: Event) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  closed = false;
  private listeners = new Map<string, ((ev: MessageEvent) => void)[]>();

  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }

  addEventListener(type: string, fn: (ev: MessageEvent) => void): void {
    const list = this.listeners.get(type) ?? [];
    list.push(fn);
    this.listeners.set(type, list);
  }

  close(): void {
    this.closed = true;
    this.readyState = 2;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  fail(closed: boolean): void {
    this.readyState = closed ? 2 : 0;
    this.onerror?.(new Event('error'));
  }

  send(type: string, data: unknown): void {
    const ev = new MessageEvent(type, { data: typeof data === 'string' ? data : JSON.stringify(data) });
    for (const fn of this.listeners.get(type) ?? []) fn(ev);
  }

  static last(): FakeEventSource {
    return FakeEventSource.instances[FakeEventSource.instances.length - 1];
  }
}

export function fakeRelay(routes: Record<string, Handler>, onUnauthorized = () => {}) {
  const { fetchImpl, calls } = fakeFetch(routes);
  const api = new RelayApi({ baseUrl: '', token: 'tok' }, onUnauthorized, fetchImpl);
  const events = new EventStream('/api/events?token=tok', (u) => new FakeEventSource(u));
  return { api, events, calls };
}

export const SETTINGS: Settings = {
  delivery_mode: 'sandbox',
  paused: false,
  client_sync_url: null,
  client_sync_user: null,
  client_sync_password_set: false,
  client_sync_token_set: false,
  report_interval_seconds: 300,
  retention_seconds: 604800,
  sink_retention_count: 5000,
  sink_retention_age_seconds: 0,
  sandbox_rehearse_limits: false,
  smtp: { host: '127.0.0.1', port: 1025 },
  api: { url: 'http://127.0.0.1:8000' },
};

export const STATS: Stats = {
  counts: { queued: 1, deferred: 0, sending: 0, sent: 0, error: 0 },
  captured: { total: 0, unread: 0 },
  accounts: [],
  delivery_mode: 'sandbox',
  paused: false,
  in_flight: 0,
  report: {
    enabled: false,
    paused: false,
    url: null,
    state: 'disabled',
    syncing: false,
    last: null,
    last_success_ts: null,
    failing_since: null,
    consecutive_failures: 0,
    last_error: null,
    next_attempt_ts: null,
    last_answer: null,
    retention: null,
  },
};

/** An account as GET /api/accounts lists it (nothing in flight). */
export function account(id: string, patch: Partial<AccountView> = {}): AccountView {
  return {
    id,
    host: 'smtp.example.com',
    port: 587,
    user: null,
    password_set: false,
    ttl: 300,
    limit_per_minute: null,
    limit_per_hour: null,
    limit_per_day: null,
    limit_behavior: 'defer',
    use_tls: null,
    batch_size: null,
    timeout: null,
    max_connections: null,
    fallbacks: null,
    weight: null,
    created_at: '2026-01-01 00:00:00',
    updated_ts: 1_700_000_000,
    rate: [],
    in_flight: 0,
    backoff_until: null,
    backoff_error: null,
    pool_open: false,
    ...patch,
  };
}

export function summary(id: string, patch: Record<string, unknown> = {}) {
  return {
    id,
    tenant_id: '',
    account_id: 'acc',
    priority: 2,
    state: 'queued',
    subject: `Subject ${id}`,
    from: 'a@example.com',
    to: 'b@example.com',
    created_ts: 1_700_000_000,
    updated_ts: 1_700_000_000,
    deferred_ts: null,
    deferred_reason: null,
    sent_ts: null,
    error_ts: null,
    error: null,
    reported_ts: null,
    attempts: 0,
    retry_count: 0,
    sandbox: false,
    batch_code: null,
    ...patch,
  };
}
