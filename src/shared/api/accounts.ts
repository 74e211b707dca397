import { z } from 'zod';

/** SMTP accounts as the relay's /api/accounts routes show them (no passwords, live delivery state). */

/**
 * What an edit that pointed stored secrets at another server dropped (host, port or user of an
 * account, the origin of a sync or application URL): the names, and a sentence saying why.
 */
export const droppedSecretsShape = {
  secrets_dropped: z.array(z.string()).optional(),
  message: z.string().optional(),
};

/** POST /account and PUT /tenant/{id}: `{ok: true}`, plus what the edit dropped when it dropped a secret. */
export const savedAnswer = z
  .object({ ok: z.literal(true), ...droppedSecretsShape })
  .strict()
  .meta({ id: 'SavedAnswer' });
export type SavedAnswer = z.infer<typeof savedAnswer>;

const int = z.number().int();

export const limitBehavior = z.enum(['defer', 'error']).meta({ id: 'LimitBehavior' });
export type LimitBehavior = z.infer<typeof limitBehavior>;

export const rateWindowName = z.enum(['minute', 'hour', 'day']);
export type RateWindowName = z.infer<typeof rateWindowName>;

/** One sliding window: sends counted in it (in flight included), its limit, when the next slot frees. */
export const rateWindow = z
  .object({
    window: rateWindowName,
    used: int,
    limit: int.nullable(),
    /** null when a slot is free now */
    next_free_ts: int.nullable(),
  })
  .strict()
  .meta({ id: 'RateWindow' });
export type RateWindow = z.infer<typeof rateWindow>;

export const accountView = z
  .object({
    id: z.string(),
    /** '' for the default tenant; GET /api/accounts always gives it (a classic AccountInfo leaves the default out) */
    tenant_id: z.string().optional(),
    host: z.string(),
    port: int,
    user: z.string().nullable(),
    password_set: z.boolean(),
    ttl: int,
    limit_per_minute: int.nullable(),
    limit_per_hour: int.nullable(),
    limit_per_day: int.nullable(),
    limit_behavior: limitBehavior,
    /** null: implicit TLS iff port 465; true: implicit TLS; false: plain/STARTTLS */
    use_tls: z.boolean().nullable(),
    batch_size: int.nullable(),
    /** SMTP timeout, seconds */
    timeout: int.nullable(),
    max_connections: int.nullable(),
    /** accounts tried in order on a temporary failure */
    fallbacks: z.array(z.string()).nullable(),
    weight: z.number().nullable(),
    /** AUTH may go over an unencrypted connection to a remote host (off: TLS or STARTTLS is required) */
    allow_insecure_auth: z.boolean().optional(),
    created_at: z.string(),
    updated_ts: int,
    rate: z.array(rateWindow),
    /** sends in progress */
    in_flight: int,
    /** held back after a connection failure until then */
    backoff_until: int.nullable(),
    backoff_error: z.string().nullable(),
    pool_open: z.boolean(),
  })
  .strict()
  .meta({ id: 'AccountView' });
export type AccountView = z.infer<typeof accountView>;

export const accountsPage = z
  .object({ items: z.array(accountView), next_cursor: z.null() })
  .strict()
  .meta({ id: 'AccountsPage' });
export type AccountsPage = z.infer<typeof accountsPage>;

/** POST /api/accounts/{id}/verify: stage names what failed (connect, tls, auth), ok on success. */
export const verifyResult = z
  .object({
    ok: z.boolean(),
    stage: z.enum(['connect', 'tls', 'auth', 'ok']),
    message: z.string(),
    code: int.optional(),
  })
  .strict()
  .meta({ id: 'VerifyResult' });
export type VerifyResult = z.infer<typeof verifyResult>;
