import { z } from 'zod';
import { capturedCounts } from './captured.js';
import { orNull } from './common.js';
import { deliveryMode, messageState, stateCounts } from './states.js';

/** GET /api/stats, the `stats` and `report` frames: counts, and how delivery reporting stands. */

const int = z.number().int();

/** The outcome of one delivery-report sync (the `report` frame). */
export const reportOutcome = z
  .object({
    ts: int,
    ok: z.boolean(),
    /** outcomes reported by this sync */
    sent: int,
    /** the application's HTTP status */
    status: int.optional(),
    error: z.string().optional(),
  })
  .strict()
  .meta({ id: 'ReportOutcome' });
export type ReportOutcome = z.infer<typeof reportOutcome>;

/** What one retention pass removed, and when. */
export const retentionPass = z
  .object({
    /** reported final messages past retention */
    reported: int,
    /** final messages past retention that had nobody to be reported to (no sync URL configured) */
    unreported: int,
    send_log: int,
    /** timeline rows left behind by messages deleted elsewhere */
    orphan_events: int,
    ts: int,
  })
  .strict()
  .meta({ id: 'RetentionPass' });
export type RetentionPass = z.infer<typeof retentionPass>;

export const REPORT_STATES = ['disabled', 'paused', 'idle', 'ok', 'failing'] as const;

/** One tenant's proxy_sync loop (a tenant registered with a client_base_url and active). */
export const tenantReportState = z
  .object({
    id: z.string(),
    /** paused: the whole relay is suspended; idle: no sync yet; ok: the last sync was acknowledged; failing */
    state: z.enum(REPORT_STATES).exclude(['disabled']),
    /** the sync URL (credentials are never shown) */
    url: z.string(),
    /** a sync POST is open now */
    in_flight: z.boolean(),
    /** when the last sync ended, acknowledged or not */
    last_sync_ts: int.nullable(),
    /** when the application last acknowledged a sync */
    last_ok_ts: int.nullable(),
    /** why the last sync was not acknowledged (one line, without upstream bodies or credentials) */
    last_error: z.string().nullable(),
    consecutive_failures: int,
    /** final outcomes waiting to be reported, counted up to 10,000 */
    pending: int,
    /** the next planned sync (heartbeat, retry or follow-up) */
    next_due_ts: int.nullable(),
    /** the application asked for quiet (next_sync_after) until then */
    quiet_until_ts: int.nullable(),
  })
  .strict()
  .meta({ id: 'TenantReportState' });
export type TenantReportState = z.infer<typeof tenantReportState>;

/** The proxy_sync loop's state. */
export const reportStatus = z
  .object({
    /** a sync URL is configured */
    enabled: z.boolean(),
    paused: z.boolean(),
    /** the sync URL without credentials */
    url: z.string().nullable(),
    /** disabled: no URL; paused; idle: no sync yet; ok: the last sync was acknowledged; failing */
    state: z.enum(REPORT_STATES),
    syncing: z.boolean(),
    last: orNull(reportOutcome),
    last_success_ts: int.nullable(),
    /** when the current run of failures started */
    failing_since: int.nullable(),
    consecutive_failures: int,
    last_error: z.string().nullable(),
    /** the next planned sync (heartbeat, retry or follow-up) */
    next_attempt_ts: int.nullable(),
    /** what the application said in its last acknowledgement */
    last_answer: z.object({ queued: int, error_ids: int, not_found_ids: int, json: z.boolean() }).strict().nullable(),
    retention: orNull(retentionPass),
    /** the loops of the registered tenants (the fields above are the default tenant's) */
    tenants: z.array(tenantReportState).optional(),
  })
  .strict()
  .meta({ id: 'ReportStatus' });
export type ReportStatus = z.infer<typeof reportStatus>;

/** Counts of one account's messages (states without messages left out). */
export const accountCounts = z
  .object({ tenant_id: z.string(), account_id: z.string().nullable(), counts: z.partialRecord(messageState, int) })
  .strict()
  .meta({ id: 'AccountCounts' });

/** The part of the stats the `stats` frame carries (sent when it changes, at most every 2 s). */
export const statsFrame = z
  .object({
    counts: stateCounts,
    captured: capturedCounts,
    /** SMTP sends running now */
    in_flight: int,
    delivery_mode: deliveryMode,
    paused: z.boolean(),
  })
  .strict()
  .meta({ id: 'StatsFrame' });
export type StatsFrame = z.infer<typeof statsFrame>;

export const statsAnswer = statsFrame
  .extend({ accounts: z.array(accountCounts), report: reportStatus })
  .strict()
  .meta({ id: 'Stats' });
export type Stats = z.infer<typeof statsAnswer>;
