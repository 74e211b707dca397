import type { DB } from './db.js';
import type { EventLog } from './event-log.js';

/** Final outcomes waiting to be reported to the application. */
export class ReportStore {
  constructor(
    readonly db: DB,
    readonly events: EventLog,
  ) {}
}
