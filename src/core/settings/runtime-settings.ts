import type { PublicSettings } from '../../shared/api/settings.js';
import type { RelayBus } from '../events.js';
import type { SettingsPort } from '../store/ports.js';
import type { DeliveryMode, RelayConfig } from '../config/types.js';
import { plainSecretCodec, type SecretCodec } from '../secrets.js';
import { withoutUrlCredentials } from '../secrets/url-credentials.js';

/** Settings kept encoded at rest with the relay's SecretCodec (safeStorage on the desktop). */
const SECRET_KEYS = ['client_sync_password', 'client_sync_token'] as const;
/** the settings row that holds them */
export const RUNTIME_SETTINGS_KEY = 'runtime';

/** Settings that can change while the relay runs (UI, PATCH /api/settings, suspend/activate). */
export interface RuntimeSettingsValues {
  delivery_mode: DeliveryMode;
  /** dispatch and reporting suspended (genro-mail-proxy suspend/activate) */
  paused: boolean;
  client_sync_url: string | null;
  client_sync_user: string | null;
  client_sync_password: string | null;
  client_sync_token: string | null;
  report_interval_seconds: number;
  retention_seconds: number;
  sink_retention_count: number;
  sink_retention_age_seconds: number;
  /** sandbox delivery obeys the accounts' rate limits, routing and limit_behavior (#18.5) */
  sandbox_rehearse_limits: boolean;
}

export interface RuntimeSettingsOptions {
  store: Pick<SettingsPort, 'get' | 'merge'>;
  bus: Pick<RelayBus, 'emit'>;
  config: RelayConfig;
  /** keys given explicitly for this run (CLI flags) win over persisted values */
  overrides?: Partial<RuntimeSettingsValues>;
  secrets?: SecretCodec;
}

/**
 * Runtime settings: read synchronously by everyone (the engine on its hot path), changed by
 * update(), which persists them and then announces the change and the work it may unblock.
 */
export class RuntimeSettings {
  /** patches applied here whose write has not returned yet: a reload meanwhile keeps them */
  private readonly unsaved = new Set<Partial<RuntimeSettingsValues>>();

  private constructor(
    private values: RuntimeSettingsValues,
    /** what the settings row holds (secrets encoded): this class is its only writer */
    private persisted: Partial<RuntimeSettingsValues>,
    private readonly opts: RuntimeSettingsOptions,
  ) {}

  /** Defaults from the configuration, then what was persisted, then the run's overrides. */
  static async load(opts: RuntimeSettingsOptions): Promise<RuntimeSettings> {
    const { config } = opts;
    const defaults: RuntimeSettingsValues = {
      delivery_mode: config.deliveryMode,
      paused: false,
      client_sync_url: config.client.url,
      client_sync_user: config.client.user,
      client_sync_password: config.client.password,
      client_sync_token: config.client.token,
      report_interval_seconds: config.client.intervalSeconds,
      retention_seconds: config.retentionSeconds,
      sink_retention_count: config.sink.retentionCount,
      sink_retention_age_seconds: config.sink.retentionAgeSeconds,
      sandbox_rehearse_limits: false,
    };
    const persisted = (await opts.store.get<Partial<RuntimeSettingsValues>>(RUNTIME_SETTINGS_KEY)) ?? {};
    const codec = opts.secrets ?? plainSecretCodec;
    const values = { ...defaults, ...codeSecrets(persisted, codec, 'decode'), ...opts.overrides };
    return new RuntimeSettings(values, persisted, opts);
  }

  current(): Readonly<RuntimeSettingsValues> {
    return this.values;
  }

  /**
   * Applies the patch at once (current() sees it), persists it, then announces `settings` and wakes
   * dispatch (pause or mode changed) and reporting (resumed, or a sync URL set): the one place that does.
   */
  async update(patch: Partial<RuntimeSettingsValues>): Promise<Readonly<RuntimeSettingsValues>> {
    this.values = { ...this.values, ...patch };
    const encoded = codeSecrets(patch, this.opts.secrets ?? plainSecretCodec, 'encode');
    this.persisted = { ...this.persisted, ...encoded };
    // only the keys changed: another relay changing other keys at the same moment keeps its change
    const mine = { ...patch };
    this.unsaved.add(mine);
    try {
      await this.opts.store.merge(RUNTIME_SETTINGS_KEY, encoded);
    } finally {
      this.unsaved.delete(mine);
    }
    this.announce(patch);
    return this.values;
  }

  /**
   * Another relay sharing the database changed the settings: reads them again and announces what
   * changed as update() does (this run's overrides still win). Resolves to the keys that changed.
   */
  async reload(): Promise<(keyof RuntimeSettingsValues)[]> {
    const persisted = (await this.opts.store.get<Partial<RuntimeSettingsValues>>(RUNTIME_SETTINGS_KEY)) ?? {};
    const unsaved = Object.assign({}, ...this.unsaved) as Partial<RuntimeSettingsValues>;
    const next = { ...this.values, ...codeSecrets(persisted, this.opts.secrets ?? plainSecretCodec, 'decode'), ...unsaved, ...this.opts.overrides };
    const changed = (Object.keys(next) as (keyof RuntimeSettingsValues)[]).filter((k) => next[k] !== this.values[k]);
    this.persisted = persisted;
    if (changed.length === 0) return changed;
    this.values = next;
    this.announce(Object.fromEntries(changed.map((k) => [k, next[k]])));
    return changed;
  }

  private announce(patch: Partial<RuntimeSettingsValues>): void {
    const { bus } = this.opts;
    bus.emit('settings', this.publicView());
    if ('paused' in patch || 'delivery_mode' in patch || 'sandbox_rehearse_limits' in patch) bus.emit('dispatch.wake');
    if (patch.paused === false || 'client_sync_url' in patch) bus.emit('report.wake');
  }

  /** What the API and SSE show: secrets replaced by whether they are set. */
  publicView(): PublicSettings {
    const { client_sync_password, client_sync_token, ...rest } = this.values;
    return { ...rest, client_sync_url: withoutUrlCredentials(rest.client_sync_url), client_sync_password_set: !!client_sync_password, client_sync_token_set: !!client_sync_token };
  }
}

function codeSecrets(values: Partial<RuntimeSettingsValues>, codec: SecretCodec, how: 'encode' | 'decode'): Partial<RuntimeSettingsValues> {
  const out = { ...values };
  for (const key of SECRET_KEYS) {
    const v = out[key];
    if (typeof v === 'string' && v !== '') out[key] = how === 'encode' ? codec.encode(v) : codec.decode(v);
  }
  return out;
}
