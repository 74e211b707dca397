import { z } from 'zod';
import { droppedSecretsShape } from './accounts.js';
import { deliveryMode } from './states.js';

/**
 * Runtime settings: GET/PATCH /api/settings and the `settings` frame. Secrets are shown only as `*_set`,
 * URLs without their `user:password@`.
 */

const int = z.number().int();
const noCrLf = (s: string) => !/[\r\n]/.test(s);

const publicSettingsShape = {
  delivery_mode: deliveryMode,
  /** dispatch and reporting suspended (genro-mail-proxy suspend/activate) */
  paused: z.boolean(),
  client_sync_url: z.string().nullable(),
  client_sync_user: z.string().nullable(),
  report_interval_seconds: int,
  retention_seconds: int,
  sink_retention_count: int,
  sink_retention_age_seconds: int,
  /** sandbox delivery obeys the accounts' rate limits, routing and limit_behavior (off: it skips them) */
  sandbox_rehearse_limits: z.boolean(),
  client_sync_password_set: z.boolean(),
  client_sync_token_set: z.boolean(),
};

/** The settings as the `settings` frame announces them after a change. */
export const publicSettings = z.object(publicSettingsShape).strict().meta({ id: 'PublicSettings' });
export type PublicSettings = z.infer<typeof publicSettings>;

const hostPort = z.object({ host: z.string(), port: int }).strict();

/** GET and PATCH /api/settings: the settings plus where the relay listens. */
export const settingsView = z
  .object({
    ...publicSettingsShape,
    /** the sandbox SMTP sink */
    smtp: hostPort,
    api: z.object({ url: z.string() }).strict(),
    /** PATCH: the stored secrets a new sync URL origin dropped */
    ...droppedSecretsShape,
  })
  .strict()
  .meta({ id: 'Settings' });
export type Settings = z.infer<typeof settingsView>;

export const settingsPatch = z
  .object({
    delivery_mode: deliveryMode,
    paused: z.boolean(),
    client_sync_url: z
      .string()
      .max(2000)
      .refine((s) => /^https?:\/\/[^\s]+$/i.test(s), 'must be an http(s) URL')
      .nullable(),
    client_sync_user: z.string().max(500).refine(noCrLf, 'must not contain CR or LF').nullable(),
    client_sync_password: z.string().max(500).nullable(),
    client_sync_token: z.string().max(2000).refine(noCrLf, 'must not contain CR or LF').nullable(),
    report_interval_seconds: int.min(5).max(86400),
    retention_seconds: int.min(0).max(10 * 365 * 86400),
    sink_retention_count: int.min(1).max(10_000_000),
    sink_retention_age_seconds: int.min(0).max(10 * 365 * 86400),
    sandbox_rehearse_limits: z.boolean(),
  })
  .partial()
  .strict()
  .meta({ id: 'SettingsPatch' });
export type SettingsPatch = z.input<typeof settingsPatch>;
