import type { DB } from './db.js';
import type { EventLog } from './event-log.js';

/** Mail captured by the sandbox sink (raw source once, summary columns). */
export class CapturedStore {
  /** Raw RFC 822 source of a captured message (used to release it to real delivery). */
  raw(id: number): Buffer | null {
    void id;
    return null;
  }

  /** Links a captured message to the queue entry whose sandbox delivery produced it. */
  linkMessage(capturedId: number, messageId: string): void {
    void capturedId;
    void messageId;
  }

  constructor(
    readonly db: DB,
    readonly events: EventLog,
  ) {}
}
