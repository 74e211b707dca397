import { nowSec, type Clock } from '../clock.js';
import type { RelayBus } from '../events.js';
import type { MessagePayload } from '../messages/types.js';
import { payloadIssue, type PayloadIssue } from '../messages/validate.js';
import { accountKey, DEFAULT_TENANT, type EnqueueResult, type Store } from '../store/ports.js';

export interface IntakeDeps {
  store: Pick<Store, 'transaction'>;
  bus: Pick<RelayBus, 'emit'>;
  clock: Clock;
  /** `[delivery] max_recipients` (default: validate.ts's) */
  maxRecipients?: number;
}

export interface Admission {
  /** the first problem of each payload, in order (null: accepted) */
  issues: (PayloadIssue | null)[];
  /** what the store did with the accepted ones */
  result: EnqueueResult;
}

/**
 * Where every entry point hands over messages: the one validation (messages/validate.ts), then the
 * queue. The store announces the queued rows; a wake for dispatch follows the commit.
 */
export class MessageIntake {
  constructor(private readonly deps: IntakeDeps) {}

  /**
   * Validates each payload and queues the acceptable ones, in one durable transaction (an account
   * cannot vanish between the check and the insert); accounts are looked up once per distinct
   * (tenant, id).
   */
  async admit(payloads: MessagePayload[], opts: { accountRequired: boolean; source_captured_id?: number }): Promise<Admission> {
    const now = nowSec(this.deps.clock);
    const admission = await this.deps.store.transaction(async (tx): Promise<Admission> => {
      const wanted = new Map<string, [string, string]>();
      for (const p of payloads) {
        const tenantId = p.tenant_id ?? DEFAULT_TENANT;
        if (p.account_id) wanted.set(accountKey(tenantId, p.account_id), [tenantId, p.account_id]);
      }
      const known = new Set<string>();
      for (const [key, [tenantId, id]] of wanted) if (await tx.accounts.get(tenantId, id)) known.add(key);
      const rules = { accountExists: (tenantId: string, id: string) => known.has(accountKey(tenantId, id)), accountRequired: opts.accountRequired, maxRecipients: this.deps.maxRecipients };
      const issues = payloads.map((p) => payloadIssue(p, rules));
      const accepted = payloads.filter((_, i) => issues[i] === null);
      const source = opts.source_captured_id === undefined ? {} : { source_captured_id: opts.source_captured_id };
      const result = accepted.length > 0 ? await tx.messages.enqueue(accepted, now, source) : { queued: 0, rejected: [] };
      return { issues, result };
    });
    if (admission.result.queued > 0) this.deps.bus.emit('dispatch.wake');
    return admission;
  }
}
