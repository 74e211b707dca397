import type { RelayBus } from '../events.js';
import type { SettingsStore } from '../store/settings-store.js';
import type { DeliveryMode, RelayConfig } from '../config/types.js';
import { plainSecretCodec, type SecretCodec } from '../secrets.js';

/** Settings kept encoded at rest with the relay's SecretCodec (safeStorage on the desktop). */
const SECRET_KEYS = ['client_sync_password', 'client_sync_token'] as const;

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
}

/** Reads and updates runtime settings; persisted in the database, announced on the bus. */
export class RuntimeSettings {
  private values: RuntimeSettingsValues;

  constructor(
    private readonly store: SettingsStore,
    private readonly bus: RelayBus,
    config: RelayConfig,
    /** keys given explicitly for this run (CLI flags) win over persisted values */
    overrides: Partial<RuntimeSettingsValues> = {},
    private readonly secrets: SecretCodec = plainSecretCodec,
  ) {
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
    };
    const persisted = this.codeSecrets(store.get<Partial<RuntimeSettingsValues>>('runtime') ?? {}, 'decode');
    this.values = { ...defaults, ...persisted, ...overrides };
  }

  current(): Readonly<RuntimeSettingsValues> {
    return this.values;
  }

  update(patch: Partial<RuntimeSettingsValues>): Readonly<RuntimeSettingsValues> {
    this.values = { ...this.values, ...patch };
    const persisted = { ...(this.store.get<Partial<RuntimeSettingsValues>>('runtime') ?? {}), ...this.codeSecrets(patch, 'encode') };
    this.store.set('runtime', persisted);
    this.bus.emit('settings', this.publicView());
    if ('paused' in patch || 'delivery_mode' in patch) this.bus.emit('dispatch.wake');
    return this.values;
  }

  private codeSecrets(values: Partial<RuntimeSettingsValues>, how: 'encode' | 'decode'): Partial<RuntimeSettingsValues> {
    const out = { ...values };
    for (const key of SECRET_KEYS) {
      const v = out[key];
      if (typeof v === 'string' && v !== '') out[key] = how === 'encode' ? this.secrets.encode(v) : this.secrets.decode(v);
    }
    return out;
  }

  /** What the API and SSE show: secrets replaced by whether they are set. */
  publicView(): Record<string, unknown> {
    const { client_sync_password, client_sync_token, ...rest } = this.values;
    return { ...rest, client_sync_password_set: !!client_sync_password, client_sync_token_set: !!client_sync_token };
  }
}
