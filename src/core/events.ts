import { EventEmitter } from 'node:events';
import type { MessageEvent } from './messages/types.js';

/**
 * The relay's in-process event bus. Everything that happens is announced here after it is on disk;
 * SSE, metrics, the tray and the report loop listen. Listeners must not throw.
 */
export interface CapturedAnnouncement {
  id: number;
  received_ts: number;
  from: string;
  to: string[];
  subject: string;
  size: number;
  attachments: number;
  mailbox: string | null;
  relay_message_id: string | null;
}

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

export interface ReportOutcome {
  ts: number;
  ok: boolean;
  sent: number;
  status?: number;
  error?: string;
}

export interface RelayEventMap {
  /** message timeline rows, in commit order (a batch at a time) */
  messages: [MessageEvent[]];
  captured: [CapturedAnnouncement];
  /** captured mail deleted (by the API or retention); 'all' after a delete-all */
  'captured.removed': [{ ids: number[] | 'all' }];
  'sink.rejected': [{ reason: string }];
  settings: [Record<string, unknown>];
  /** accounts inserted, replaced or deleted (after the commit) */
  accounts: [{ ids: string[] }];
  attempt: [AttemptOutcome];
  report: [ReportOutcome];
  /** work may be available for dispatch (new messages, run-now, activate, settings change) */
  'dispatch.wake': [];
  /** final outcomes may be available for reporting */
  'report.wake': [];
}

export class RelayBus extends EventEmitter<RelayEventMap> {
  constructor() {
    super({ captureRejections: false });
    this.setMaxListeners(200);
  }
}
