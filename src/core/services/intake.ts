import { nowSec, type Clock } from '../clock.js';
import type { RelayBus } from '../events.js';
import type { MessagePayload } from '../messages/types.js';
import { payloadIssue, type PayloadIssue } from '../messages/validate.js';
import type { AccountsPort, EnqueueResult, MessagesPort } from '../store/ports.js';

export interface IntakeDeps {
  messages: Pick<MessagesPort, 'enqueue'>;
  accounts: Pick<AccountsPort, 'get'>;
  bus: Pick<RelayBus, 'emit'>;
  clock: Clock;
}

/**
 * Where every entry point hands over messages: the one validation (messages/validate.ts), then the
 * queue. The store announces the queued rows; a wake for dispatch follows the commit.
 */
export class MessageIntake {
  constructor(private readonly deps: IntakeDeps) {}

  /** The first problem of each payload (null: acceptable), accounts looked up once per distinct id. */
  async check(payloads: MessagePayload[], accountRequired: boolean): Promise<(PayloadIssue | null)[]> {
    const ids = [...new Set(payloads.map((p) => p.account_id).filter((id): id is string => !!id))];
    const found = await Promise.all(ids.map((id) => this.deps.accounts.get(id)));
    const known = new Set(ids.filter((_, i) => found[i] !== null));
    const rules = { accountExists: (id: string) => known.has(id), accountRequired };
    return payloads.map((p) => payloadIssue(p, rules));
  }

  /** Queues checked payloads in one durable transaction, then wakes dispatch. */
  async enqueue(payloads: MessagePayload[], opts: { source_captured_id?: number } = {}): Promise<EnqueueResult> {
    if (payloads.length === 0) return { queued: 0, rejected: [] };
    const result = await this.deps.messages.enqueue(payloads, nowSec(this.deps.clock), opts);
    if (result.queued > 0) this.deps.bus.emit('dispatch.wake');
    return result;
  }
}
