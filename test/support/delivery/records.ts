import type { AccountState } from '../../../src/core/delivery/claim-decisions.js';
import { newDelivery, type Delivery, type DeliveryTarget } from '../../../src/core/delivery/delivery.js';
import type { RateCheck } from '../../../src/core/delivery/rate-limiter.js';
import type { MessagePayload } from '../../../src/core/messages/types.js';
import { accountKey, accountWithDefaults, type Account, type ClaimedMessage } from '../../../src/core/store/records.js';

/** An account with genro-mail-proxy's defaults, as the store returns it. */
export function account(id: string, over: Partial<Account> = {}): Account {
  return { ...accountWithDefaults({ id, host: 'h', port: 25 }), created_at: '', updated_ts: 0, ...over };
}

export function payloadOf(id: string, over: Partial<MessagePayload> = {}): MessagePayload {
  return { id, from: 'a@example.com', to: ['b@example.com'], subject: 's', body: 'b', content_type: 'plain', priority: 2, ...over };
}

/** A claimed row as DispatchPort.claim returns it. */
export function claimedRow(id: string, over: Partial<ClaimedMessage> = {}): ClaimedMessage {
  return {
    seq: 1,
    id,
    tenant_id: '',
    account_id: 'acc',
    batch_code: null,
    priority: 2,
    payload: JSON.stringify(payloadOf(id)),
    attempts: 0,
    retry_count: 0,
    first_attempt_ts: null,
    created_ts: 1000,
    source_captured_id: null,
    ...over,
  };
}

export function deliveryOf(id: string, target: DeliveryTarget, opts: { row?: Partial<ClaimedMessage>; claimedAt?: number } = {}): Delivery {
  return newDelivery(claimedRow(id, opts.row), payloadOf(id), target, opts.claimedAt ?? 1000);
}

/** A delivery through accounts: `via` the first of the route unless given. */
export function accountDelivery(id: string, route: Account[], opts: { via?: Account; row?: Partial<ClaimedMessage>; claimedAt?: number } = {}): Delivery {
  return deliveryOf(id, { kind: 'account', route, via: opts.via ?? route[0], failover: [] }, opts);
}

/** Maps by account key (a default-tenant account's key is its id). */
export interface StateInput {
  accounts: Account[];
  /** account key -> backoff end */
  backoff?: Record<string, number>;
  backoffError?: Record<string, string>;
  /** account key -> rate check (ok when absent) */
  rate?: Record<string, RateCheck>;
  /** account key -> claim slots left (3 when absent) */
  free?: Record<string, number>;
}

/** An AccountState over plain maps: the engine's state as a pure decision sees it. */
export function stateOf(input: StateInput): AccountState {
  const keyOf = (a: Account) => accountKey(a.tenant_id, a.id);
  const byKey = new Map(input.accounts.map((a) => [keyOf(a), a]));
  return {
    account: (tenantId, id) => byKey.get(accountKey(tenantId, id)) ?? null,
    accounts: () => input.accounts,
    backoffUntil: (key, now) => {
      const until = input.backoff?.[key];
      return until !== undefined && until > now ? until : null;
    },
    backoffError: (key) => input.backoffError?.[key] ?? null,
    rate: (a) => input.rate?.[keyOf(a)] ?? { ok: true },
    rateSaturated: (a) => input.rate?.[keyOf(a)]?.ok === false,
    claimFree: (a) => input.free?.[keyOf(a)] ?? 3,
  };
}
