import type {
  Account,
  AccountInput,
  CapturedDetail,
  CapturedSummary,
  MessageDetailResponse,
  MessageState,
  MessageSummary,
  Page,
  ReleaseResult,
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

/** An HTTP answer other than 2xx, with the relay's error code and message when it sent them. */
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
  state?: MessageState | '';
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

/** The relay's HTTP API. Every call carries the token; a 401 calls `onUnauthorized`. */
export class RelayApi {
  constructor(
    readonly connection: Connection,
    private readonly onUnauthorized: () => void = () => {},
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
  ) {}

  url(path: string): string {
    return this.connection.baseUrl.replace(/\/$/, '') + path;
  }

  /** A URL usable where headers cannot be set (EventSource, <img>, downloads): token as a query parameter. */
  tokenUrl(path: string): string {
    const sep = path.includes('?') ? '&' : '?';
    return this.url(`${path}${sep}token=${encodeURIComponent(this.connection.token)}`);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'X-API-Token': this.connection.token, Accept: 'application/json' };
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await this.fetchImpl(this.url(path), init);
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
    const res = await this.fetchImpl(this.url(path), { headers: { 'X-API-Token': this.connection.token } });
    if (!res.ok) {
      const err = await errorFromResponse(res);
      if (res.status === 401) this.onUnauthorized();
      throw err;
    }
    return res.text();
  }

  async blob(path: string): Promise<Blob> {
    const res = await this.fetchImpl(this.url(path), { headers: { 'X-API-Token': this.connection.token } });
    if (!res.ok) {
      const err = await errorFromResponse(res);
      if (res.status === 401) this.onUnauthorized();
      throw err;
    }
    return res.blob();
  }

  // messages
  listMessages(q: MessageQuery): Promise<Page<MessageSummary>> {
    return this.request('GET', `/api/messages${queryString({ ...q })}`);
  }
  getMessage(id: string): Promise<MessageDetailResponse> {
    return this.request('GET', `/api/messages/${encodeURIComponent(id)}`);
  }
  retryMessage(id: string): Promise<unknown> {
    return this.request('POST', `/api/messages/${encodeURIComponent(id)}/retry`, {});
  }
  deleteMessage(id: string): Promise<unknown> {
    return this.request('DELETE', `/api/messages/${encodeURIComponent(id)}`);
  }

  // stats and settings
  stats(): Promise<Stats> {
    return this.request('GET', '/api/stats');
  }
  settings(): Promise<Settings> {
    return this.request('GET', '/api/settings');
  }
  updateSettings(patch: SettingsPatch): Promise<Settings> {
    return this.request('PATCH', '/api/settings', patch);
  }

  // accounts
  /** With live rate-limit state; falls back to the classic list (no rate state) on a relay without /api/accounts. */
  async accounts(): Promise<Account[]> {
    try {
      const body = await this.request<{ items?: Account[]; accounts?: Account[] }>('GET', '/api/accounts');
      return body.items ?? body.accounts ?? [];
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
      const body = await this.request<{ accounts?: Account[] }>('GET', '/accounts');
      return body.accounts ?? [];
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
    return this.request('GET', `/api/captured${queryString({ ...q })}`);
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
  attachmentUrl(id: number, index: number): string {
    return this.tokenUrl(`/api/captured/${id}/attachments/${index}`);
  }
  deleteCaptured(id: number): Promise<unknown> {
    return this.request('DELETE', `/api/captured/${id}`);
  }
  deleteAllCaptured(): Promise<unknown> {
    return this.request('DELETE', '/api/captured');
  }
  releaseCaptured(id: number, accountId: string): Promise<ReleaseResult> {
    return this.request('POST', `/api/captured/${id}/release`, { account_id: accountId });
  }
}
