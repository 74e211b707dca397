import type { ReportOutcome, ReportStatus, TenantReportState } from '../../shared/api/stats.js';
import type { RuntimeSettingsValues } from '../settings/runtime-settings.js';
import type { RetentionResult } from './retention.js';
import type { SyncAnswer } from './sync-client.js';

/** What the UI, the status command and GET /api/stats show about reporting (the shared API's shape). */
export type { ReportStatus, TenantReportState } from '../../shared/api/stats.js';

/** What only the facade knows when the status is read. */
export interface LiveFacts {
  settings: Readonly<RuntimeSettingsValues>;
  failures: number;
  syncing: boolean;
  nextAttemptTs: number | null;
}

/** What a tenant loop knows when its status is read (timestamps are epoch seconds). */
export interface TenantLiveFacts {
  id: string;
  url: string;
  paused: boolean;
  failures: number;
  syncing: boolean;
  nextAttemptTs: number | null;
  quietUntilTs: number | null;
  pending: number;
}

/** The outcomes of past syncs and retention passes, as shown (timestamps are epoch seconds). */
export class ReportBoard {
  private lastOutcome: ReportOutcome | null = null;
  private lastSuccessTs: number | null = null;
  private lastAttemptTs: number | null = null;
  private failingSince: number | null = null;
  private lastError: string | null = null;
  private lastAnswer: ReportStatus['last_answer'] = null;
  private lastRetention: ReportStatus['retention'] = null;

  get last(): ReportOutcome | null {
    return this.lastOutcome;
  }

  succeeded(ts: number, sent: number, answer: SyncAnswer): ReportOutcome {
    this.failingSince = null;
    this.lastError = null;
    this.lastSuccessTs = ts;
    this.lastAttemptTs = ts;
    this.lastAnswer = { queued: answer.queued, error_ids: answer.errorIds.length, not_found_ids: answer.notFoundIds.length, json: answer.json };
    this.lastOutcome = { ts, ok: true, sent, status: answer.status };
    return this.lastOutcome;
  }

  /** Records a failure; `changed` says whether its message differs from the previous one. */
  failed(ts: number, message: string, status: number | undefined): { outcome: ReportOutcome; changed: boolean } {
    this.failingSince ??= ts;
    this.lastAttemptTs = ts;
    const changed = message !== this.lastError;
    this.lastError = message;
    this.lastOutcome = { ts, ok: false, sent: 0, ...(status !== undefined ? { status } : {}), error: message };
    return { outcome: this.lastOutcome, changed };
  }

  /** a new destination: its failures start a new run */
  retargeted(): void {
    this.failingSince = null;
  }

  retention(result: RetentionResult, ts: number): void {
    this.lastRetention = { ...result, ts };
  }

  tenantView(facts: TenantLiveFacts): TenantReportState {
    return {
      id: facts.id,
      state: facts.paused ? 'paused' : facts.failures > 0 ? 'failing' : this.lastOutcome ? 'ok' : 'idle',
      url: redact(facts.url) ?? facts.url,
      in_flight: facts.syncing,
      last_sync_ts: this.lastAttemptTs,
      last_ok_ts: this.lastSuccessTs,
      last_error: this.lastError,
      consecutive_failures: facts.failures,
      pending: facts.pending,
      next_due_ts: facts.nextAttemptTs,
      quiet_until_ts: facts.quietUntilTs,
    };
  }

  view(facts: LiveFacts): ReportStatus {
    const s = facts.settings;
    const enabled = !!s.client_sync_url;
    const state: ReportStatus['state'] = !enabled
      ? 'disabled'
      : s.paused
        ? 'paused'
        : facts.failures > 0
          ? 'failing'
          : this.lastOutcome
            ? 'ok'
            : 'idle';
    return {
      enabled,
      paused: s.paused,
      url: redact(s.client_sync_url),
      state,
      syncing: facts.syncing,
      last: this.lastOutcome,
      last_success_ts: this.lastSuccessTs,
      failing_since: this.failingSince,
      consecutive_failures: facts.failures,
      last_error: this.lastError,
      next_attempt_ts: facts.nextAttemptTs,
      last_answer: this.lastAnswer,
      retention: this.lastRetention,
    };
  }
}

function redact(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}
