import type { DB } from './db.js';
import type { EventLog } from './event-log.js';

/** Due-message claims, leases, delivery outcomes and the send log (delivery engine). */
export class DispatchStore {
  constructor(
    readonly db: DB,
    readonly events: EventLog,
  ) {}
}
