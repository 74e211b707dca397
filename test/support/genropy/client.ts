/**
 * GenropyClient: the `mailproxy` service of Genropy (mailproxy.py), every call of reference §1.2 with
 * the token, parameters, body and timeout Genropy uses, and the service's configuration state.
 */
import { ExchangeLog } from './observe.js';
import { tokenUrlsafe, truthy } from './py.js';
import {
  DEFAULT_TIMEOUT_S,
  addMessagesTimeout,
  healthCheck,
  mailProxyRequest,
  usesAdminToken,
  type HttpMethod,
  type Transport,
} from './request.js';

export interface GenropyClientOptions {
  proxyUrl: string | null;
  /** api_keys.private.genro_mail_proxy?token of instanceconfig; empty = no header on admin paths */
  adminToken?: string | null;
  /** the service's tenant_id; Genropy defaults it to the database name */
  tenantId: string;
  /** the application's mp_endpoint URL, sent at registration */
  clientBaseUrl: string;
  /** the service's batch_size; null/0 = 1000 */
  batchSize?: number | null;
  tenantToken?: string | null;
  tenantRegistered?: boolean;
  disabled?: boolean;
  timeScale?: number;
  log?: ExchangeLog;
  /** called with the new client password before POST /tenant (Genropy commits the user row first) */
  onPassword?: (user: string, password: string) => void;
}

export type Json = Record<string, unknown>;

/** What activateService answers (mailproxy.py:349-397): the text the Register button shows. */
export type RegisterResult =
  | { ok: true; message: string; tenant_id: string; synced: number; failed: number }
  | { ok: false; error: string };

/** What deactivateService answers (mailproxy.py:399-421). */
export type UnregisterResult = { ok: true; message: string } | { ok: false; error: string };

export const CLIENT_USER = 'mailproxy';
export const SYNC_PATH = '/proxy_sync';
export const ATTACHMENT_PATH = '/proxy_get_attachments';

export class GenropyClient {
  proxyUrl: string | null;
  adminToken: string | null;
  tenantId: string;
  clientBaseUrl: string;
  batchSize: number | null;
  tenantToken: string | null;
  tenantRegistered: boolean;
  disabled: boolean;
  readonly log: ExchangeLog;
  private readonly transport: Transport;
  private readonly onPassword: (user: string, password: string) => void;

  constructor(o: GenropyClientOptions) {
    this.proxyUrl = o.proxyUrl;
    this.adminToken = o.adminToken ?? null;
    this.tenantId = o.tenantId;
    this.clientBaseUrl = o.clientBaseUrl;
    this.batchSize = o.batchSize ?? null;
    this.tenantToken = o.tenantToken ?? null;
    this.tenantRegistered = o.tenantRegistered ?? false;
    this.disabled = o.disabled ?? false;
    this.log = o.log ?? new ExchangeLog();
    this.onPassword = o.onPassword ?? (() => {});
    const currentUrl = () => this.proxyUrl;
    this.transport = {
      get proxyUrl() {
        return currentUrl();
      },
      timeScale: o.timeScale ?? 1,
      log: this.log,
    };
  }

  /** getMailProxy (email/main.py:27-53): calls 3-9 happen only while this is true. */
  get active(): boolean {
    return !this.disabled && !!this.proxyUrl && this.tenantRegistered;
  }

  /** The "Proxy reachable" light: GET /health without token, 5 s, any status < 400. */
  health(): Promise<boolean> {
    return healthCheck(this.transport);
  }

  runNow(): Promise<unknown> {
    return this.call('POST', '/commands/run-now', { params: this.tenantParam() });
  }

  /** POST /account with the §1.3 payload (see accountPayload); tenant_id is in the body. */
  addAccount(payload: Json): Promise<unknown> {
    return this.call('POST', '/account', { json: payload });
  }

  deleteAccount(accountId: string): Promise<unknown> {
    if (!accountId) return Promise.reject(new Error('account_id is required'));
    return this.call('DELETE', `/account/${accountId}`, { params: this.tenantParam() });
  }

  listAccounts(): Promise<unknown> {
    return this.call('GET', '/accounts', { params: this.tenantParam() });
  }

  async listMessages(): Promise<unknown> {
    const response = await this.call('GET', '/messages', { params: this.tenantParam() });
    if (Array.isArray(response)) return { ok: true, messages: response };
    if (typeof response === 'object' && response !== null) return response;
    throw new Error('Mail proxy /messages returned an unexpected payload');
  }

  /** The dashboard's "Cleanup sent" (its dialog is pre-filled with 1). */
  cleanupMessages(olderThanSeconds?: number | null): Promise<unknown> {
    const json = olderThanSeconds === undefined || olderThanSeconds === null ? {} : { older_than_seconds: Math.trunc(olderThanSeconds) };
    return this.call('POST', '/commands/cleanup-messages', { json, params: this.tenantParam() });
  }

  /** POST /commands/add-messages?tenant_id= with {messages}; no default_priority (mailproxy.py:199-212). */
  async addMessages(messages: Json[]): Promise<Json> {
    const response = await this.call('POST', '/commands/add-messages', {
      json: { messages },
      params: this.tenantParam(),
      timeoutS: addMessagesTimeout(messages.length),
    });
    if (typeof response !== 'object' || response === null || Array.isArray(response)) {
      throw new Error('Mail proxy add-messages returned an unexpected payload');
    }
    return response as Json;
  }

  /** POST /tenant (admin token); raises unless `ok` is truthy. */
  async registerTenant(user: string, password: string): Promise<Json> {
    const json: Json = {
      id: this.tenantId,
      client_base_url: this.clientBaseUrl,
      client_sync_path: SYNC_PATH,
      client_attachment_path: ATTACHMENT_PATH,
    };
    if (user && password) json.client_auth = { method: 'basic', user, password };
    const response = (await this.call('POST', '/tenant', { json })) as Json;
    if (!truthy(response?.ok)) throw new Error(truthy(response?.error) ? String(response.error) : 'Registration failed');
    return response;
  }

  deleteTenant(): Promise<unknown> {
    return this.call('DELETE', `/tenant/${this.tenantId}`, {});
  }

  /**
   * The Register button (activateService): rotate the client password, POST /tenant, read `api_key`
   * unconditionally, store it as tenant token, then sync the accounts `syncAccounts` returns.
   */
  async register(syncAccounts: () => Json[] = () => []): Promise<RegisterResult> {
    if (!this.proxyUrl) return { ok: false, error: 'Proxy URL not configured' };
    if (!this.adminToken) {
      return { ok: false, error: 'Admin token not configured. Add api_keys.private.genro_mail_proxy?token in instanceconfig' };
    }
    const password = tokenUrlsafe(32);
    this.onPassword(CLIENT_USER, password);
    try {
      const response = await this.registerTenant(CLIENT_USER, password);
      // a Python KeyError: its text is the quoted key
      if (!('api_key' in response)) throw new Error("'api_key'");
      this.tenantRegistered = true;
      this.tenantToken = (response.api_key as string | null) ?? null;
      let synced = 0;
      let failed = 0;
      for (const payload of syncAccounts()) {
        try {
          if (truthy(((await this.addAccount(payload)) as Json)?.ok)) synced++;
          else failed++;
        } catch {
          failed++;
        }
      }
      return { ok: true, message: `Tenant "${this.tenantId}" registered`, tenant_id: this.tenantId, synced, failed };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** The Unregister button (deactivateService): DELETE /tenant/{id}, errors swallowed, token dropped. */
  async unregister(): Promise<UnregisterResult> {
    if (!this.tenantId) return { ok: false, error: 'No tenant_id configured' };
    await this.deleteTenant().catch(() => undefined);
    this.tenantRegistered = false;
    this.tenantToken = null;
    return { ok: true, message: `Tenant "${this.tenantId}" unregistered` };
  }

  private tenantParam(): Record<string, string> {
    return { tenant_id: this.tenantId };
  }

  private call(method: HttpMethod, path: string, o: { json?: unknown; params?: Record<string, string>; timeoutS?: number }): Promise<unknown> {
    const token = usesAdminToken(path) ? this.adminToken : this.tenantToken;
    return mailProxyRequest(this.transport, method, path, { json: o.json, params: o.params, token, timeoutS: o.timeoutS ?? DEFAULT_TIMEOUT_S });
  }
}
