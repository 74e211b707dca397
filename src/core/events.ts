import { EventEmitter } from 'node:events';
import type { AccountsFrame, CapturedAnnouncement, ReportOutcome, TenantsFrame } from '../shared/api/index.js';
import type { MessageEvent } from './messages/types.js';

/** What the SSE frames carry, announced as the shared API shapes them. */
export type { CapturedAnnouncement, ReportOutcome } from '../shared/api/index.js';

/** One delivery attempt's outcome, for metrics and the tray (not an API shape). */
export interface AttemptOutcome {
  message_id: string;
  account_id: string | null;
  outcome: 'sent' | 'temporary' | 'permanent' | 'rate_limited' | 'build_error';
  /** seconds from enqueue to the final outcome, for sent/permanent */
  latency_seconds?: number;
  /** duration of the SMTP attempt itself */
  attempt_seconds?: number;
  code?: number;
  sandbox?: boolean;
  /** the attempt ended in a deferral (retry or rate limit) */
  deferred?: boolean;
}

export interface RelayEventMap {
  /** message timeline rows, in commit order (a batch at a time) */
  messages: [MessageEvent[]];
  captured: [CapturedAnnouncement];
  /** mail another relay of the database captured (shown live; not this relay's sink traffic) */
  'captured.remote': [CapturedAnnouncement];
  /** announcements from other relays may have been missed (a lost database connection): reload views */
  resync: [];
  /** captured mail deleted (by the API or retention); 'all' after a delete-all */
  'captured.removed': [{ ids: number[] | 'all' }];
  'sink.rejected': [{ reason: string }];
  /** the public settings after a change (PublicSettings) */
  settings: [Record<string, unknown>];
  /** accounts inserted, replaced or deleted (after the commit) */
  accounts: [AccountsFrame];
  /** tenants inserted, changed or deleted (after the commit) */
  tenants: [TenantsFrame];
  attempt: [AttemptOutcome];
  report: [ReportOutcome];
  /** work may be available for dispatch (new messages, run-now, activate, settings change) */
  'dispatch.wake': [];
  /** final outcomes may be available for reporting */
  'report.wake': [];
}

/**
 * The relay's in-process event bus. Everything that happens is announced here after it is on disk;
 * SSE, metrics, the tray and the report loop listen. Listeners must not throw.
 */
export class RelayBus extends EventEmitter<RelayEventMap> {
  constructor() {
    super({ captureRejections: false });
    this.setMaxListeners(200);
  }
}
