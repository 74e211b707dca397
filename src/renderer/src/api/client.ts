import type { z } from 'zod';
import {
  accountsPage,
  capturedPage,
  deleteAllCapturedAnswer,
  classicAccountsAnswer,
  describeIssues,
  messagesPage,
  settingsView,
  statsAnswer,
  tenantsOverview,
  type TenantsOverview,
} from '../../../shared/api/index.js';
import type { EventSourceFactory } from './event-stream.js';
import { FetchEventSource } from './fetch-event-source.js';
import type {
  AccountInput,
  AccountView,
  CapturedDetail,
  CapturedSummary,
  ClassicAccountInfo,
  MessageDetail,
  MessageState,
  MessageSummary,
  Page,
  ReleaseAnswer,
  Settings,
  SettingsPatch,
  Stats,
  VerifyResult,
} from './types.js';

/** Where the relay is and how to authenticate against it. */
export interface Connection {
  /** '' for the page's own origin */
  baseUrl: string;
  token: string;
}

/**
 * An HTTP answer other than 2xx, with the relay's error code and message when it sent them; or a 2xx
 * whose body does not match the API's contract (code `invalid_answer`).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface MessageQuery {
  /** absent: every tenant's; '' the default tenant's */
  tenant_id?: string;
  state?: MessageState | '';
  /** only outcomes reported (true) or not yet reported (false) to the application */
  reported?: boolean;
  account_id?: string;
  q?: string;
  limit?: number;
  cursor?: string | null;
}

export interface CapturedQuery {
  q?: string;
  limit?: number;
  cursor?: string | null;
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** What a request that reached nobody says (fetch's own "Failed to fetch" names no cause a user can act on). */
export const UNREACHABLE_MESSAGE = 'The relay is unreachable (stopped, or the network is down). Retrying…';

/** Reads `{error:{code,message}}` (relay routes), `{detail}`/`{error}` (classic routes) or plain text. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = res.statusText || `HTTP ${res.status}`;
  const text = await res.text().catch(() => '');
  if (text) {
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      const err = body.error;
      if (err && typeof err === 'object') {
        const e = err as { code?: unknown; message?: unknown };
        if (typeof e.code === 'string') code = e.code;
        if (typeof e.message === 'string') message = e.message;
      } else if (typeof err === 'string') {
        message = err;
      } else if (typeof body.detail === 'string') {
        message = body.detail;
      } else if (Array.isArray(body.detail)) {
        message = body.detail.map((d) => (typeof d === 'object' && d && 'msg' in d ? String(d.msg) : String(d))).join('; ');
      } else if (typeof body.message === 'string') {
        message = body.message;
      }
    } catch {
      message = text.slice(0, 300);
    }
  }
  return new ApiError(res.status, code, message);
}

function queryString(params: Record<string, string | number | null | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `?${s}` : '';
}

/** The relay's HTTP API. Every call carries the token in a header, never in a URL; a 401 calls `onUnauthorized`. */
export class RelayApi {
  constructor(
    readonly connection: Connection,
    private readonly onUnauthorized: () => void = () => {},
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
  ) {}

  /** fetch, with "nobody answered" as an ApiError of status 0 (code `unreachable`) */
  private async send(path: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetchImpl(this.url(path), init);
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError(0, 'unreachable', UNREACHABLE_MESSAGE);
    }
  }

  url(path: string): string {
    return this.connection.baseUrl.replace(/\/$/, '') + path;
  }

  /** Opens Server-Sent Events streams of this relay with the token in a header: no URL carries it. */
  eventSources(): EventSourceFactory {
    return (url) => new FetchEventSource(url, { 'X-API-Token': this.connection.token }, this.fetchImpl);
  }

  /** A JSON answer checked against its contract: a relay answering out of contract is an error, not data. */
  async checked<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown): Promise<z.infer<S>> {
    const answer = await this.request<unknown>(method, path, body);
    const r = schema.safeParse(answer);
    if (!r.success) throw new ApiError(200, 'invalid_answer', `unexpected answer from ${method} ${path.split('?')[0]}: ${describeIssues(r.error)}`);
    return r.data;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'X-API-Token': this.connection.token, Accept: 'application/json' };
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await this.send(path, init);
    if (!res.ok) {
      const err = await errorFromResponse(res);
      if (res.status === 401) this.onUnauthorized();
      throw err;
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async text(path: string): Promise<string> {
    const res = await this.send(path, { headers: { 'X-API-Token': this.connection.token } });
    if (!res.ok) {
      const err = await errorFromResponse(res);
      if (res.status === 401) this.onUnauthorized();
      throw err;
    }
    return res.text();
  }

  async blob(path: string): Promise<Blob> {
    const res = await this.send(path, { headers: { 'X-API-Token': this.connection.token } });
    if (!res.ok) {
      const err = await errorFromResponse(res);
      if (res.status === 401) this.onUnauthorized();
      throw err;
    }
    return res.blob();
  }

  // messages
  listMessages(q: MessageQuery): Promise<Page<MessageSummary>> {
    const { tenant_id, reported, ...rest } = q;
    const qs = queryString({ ...rest, reported: reported === undefined ? undefined : String(reported) });
    // tenant_id= (empty) selects the default tenant, so it is sent even when empty
    const tenant = tenant_id === undefined ? '' : `${qs ? '&' : '?'}tenant_id=${encodeURIComponent(tenant_id)}`;
    return this.checked(messagesPage, 'GET', `/api/messages${qs}${tenant}`);
  }
  /** `tenantId`: the message's tenant ('' or absent: the default tenant) */
  getMessage(id: string, tenantId = ''): Promise<MessageDetail> {
    return this.request('GET', `/api/messages/${encodeURIComponent(id)}${queryString({ tenant_id: tenantId })}`);
  }
  retryMessage(id: string, tenantId = ''): Promise<unknown> {
    return this.request('POST', `/api/messages/${encodeURIComponent(id)}/retry${queryString({ tenant_id: tenantId })}`, {});
  }
  deleteMessage(id: string, tenantId = ''): Promise<unknown> {
    return this.request('DELETE', `/api/messages/${encodeURIComponent(id)}${queryString({ tenant_id: tenantId })}`);
  }

  // tenants
  /** Registered tenants (none on a classic single-application relay); [] from a relay without the route. */
  async tenants(): Promise<TenantsOverview> {
    try {
      return await this.checked(tenantsOverview, 'GET', '/api/tenants');
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
      return { items: [], sync_interval_seconds: 0 };
    }
  }

  // stats and settings
  stats(): Promise<Stats> {
    return this.checked(statsAnswer, 'GET', '/api/stats');
  }
  settings(): Promise<Settings> {
    return this.checked(settingsView, 'GET', '/api/settings');
  }
  updateSettings(patch: SettingsPatch): Promise<Settings> {
    return this.checked(settingsView, 'PATCH', '/api/settings', patch);
  }

  // accounts
  /** With live rate-limit state; falls back to the classic list (no rate state) on a relay without /api/accounts. */
  async accounts(): Promise<AccountView[]> {
    try {
      return (await this.checked(accountsPage, 'GET', '/api/accounts')).items;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
      return (await this.checked(classicAccountsAnswer, 'GET', '/accounts')).accounts.map(accountFromClassic);
    }
  }
  saveAccount(input: AccountInput): Promise<unknown> {
    return this.request('POST', '/account', input);
  }
  deleteAccount(id: string): Promise<unknown> {
    return this.request('DELETE', `/account/${encodeURIComponent(id)}`);
  }
  verifyAccount(id: string): Promise<VerifyResult> {
    return this.request('POST', `/api/accounts/${encodeURIComponent(id)}/verify`, {});
  }

  // captured mail
  listCaptured(q: CapturedQuery): Promise<Page<CapturedSummary>> {
    return this.checked(capturedPage, 'GET', `/api/captured${queryString({ ...q })}`);
  }
  getCaptured(id: number): Promise<CapturedDetail> {
    return this.request('GET', `/api/captured/${id}`);
  }
  capturedRaw(id: number): Promise<string> {
    return this.text(`/api/captured/${id}/raw`);
  }
  capturedRawBlob(id: number): Promise<Blob> {
    return this.blob(`/api/captured/${id}/raw`);
  }
  attachmentBlob(id: number, index: number): Promise<Blob> {
    return this.blob(`/api/captured/${id}/attachments/${index}`);
  }
  deleteCaptured(id: number): Promise<unknown> {
    return this.request('DELETE', `/api/captured/${id}`);
  }
  deleteAllCaptured(): Promise<unknown> {
    return this.request('DELETE', '/api/captured');
  }
  /** Deletes exactly these captured messages; answers how many were still there. */
  async deleteCapturedIds(ids: readonly number[]): Promise<number> {
    let removed = 0;
    // the route takes at most 1000 ids a call
    for (let i = 0; i < ids.length; i += 1000) {
      removed += (await this.checked(deleteAllCapturedAnswer, 'DELETE', `/api/captured?ids=${ids.slice(i, i + 1000).join(',')}`)).removed;
    }
    return removed;
  }
  releaseCaptured(id: number, accountId: string): Promise<ReleaseAnswer> {
    return this.request('POST', `/api/captured/${id}/release`, { account_id: accountId });
  }
}

/** Resolves when the relay accepts the connection's token; an ApiError (status 401 when refused) otherwise. */
export async function checkConnection(c: Connection): Promise<void> {
  await new RelayApi(c).settings();
}

/** A classic AccountInfo (no live state) as the accounts view shows it: nothing in flight, no backoff. */
export function accountFromClassic(a: ClassicAccountInfo): AccountView {
  return {
    user: null,
    limit_per_minute: null,
    limit_per_hour: null,
    limit_per_day: null,
    use_tls: null,
    batch_size: null,
    timeout: null,
    max_connections: null,
    fallbacks: null,
    weight: null,
    ...a,
    password_set: false,
    updated_ts: 0,
    rate: [],
    in_flight: 0,
    backoff_until: null,
    backoff_error: null,
    pool_open: false,
  };
}
