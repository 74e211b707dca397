import type { MessagePayload } from '../messages/types.js';
import { DEFAULT_TENANT, type Account, type ClaimCaps, type ClaimedMessage } from '../store/ports.js';
import { DEFAULT_ACCOUNT_ID, keyOf } from './delivery.js';
import type { RateCheck, RateWindowName } from './rate-limiter.js';
import { backoffDelay, type RetrySettings } from './retry-policy.js';
import { routeOrder } from './routing.js';

/**
 * Pure decisions of a claim: what to do with a claimed message, which account of its route takes it,
 * how many messages of each account a claim may take. They read the engine's state through
 * `AccountState` and change nothing.
 */

/** What the decisions read of the engine's state (the account snapshot, backoffs, rate windows, slots). */
export interface AccountState {
  account(tenantId: string, id: string): Account | null;
  accounts(): readonly Account[];
  /** when the account's (by key) backoff ends, null when it is not backing off */
  backoffUntil(key: string, now: number): number | null;
  backoffError(key: string): string | null;
  rate(account: Account, now: number): RateCheck;
  /** no send of the account can start now because of its rate limits */
  rateSaturated(account: Account, now: number): boolean;
  /** claim slots the account has left (CLAIM_AHEAD x its connections, less those held; may be negative) */
  claimFree(account: Account): number;
}

export interface RateHit {
  account: Account;
  until: number;
  window: RateWindowName;
  limit: number;
}

export type AccountPick =
  | { kind: 'account'; account: Account }
  /** none can take it: the earliest rate slot among the rate-limited ones, the earliest backoff end */
  | { kind: 'none'; rate: RateHit | null; backoffUntil: number | null };

/**
 * The first account of the route not tried yet (`tried`: account keys) that is not backing off, has a
 * free rate slot and (preferably) a free claim slot; one without a free claim slot if no other will do.
 */
export function pickAccount(route: readonly Account[], tried: ReadonlySet<string>, state: AccountState, now: number): AccountPick {
  let rate: RateHit | null = null;
  let backoffUntil: number | null = null;
  let busy: Account | null = null;
  for (const acc of route) {
    if (tried.has(keyOf(acc))) continue;
    const until = state.backoffUntil(keyOf(acc), now);
    if (until !== null) {
      backoffUntil = backoffUntil === null ? until : Math.min(backoffUntil, until);
      continue;
    }
    const check = state.rate(acc, now);
    if (!check.ok) {
      if (!rate || check.until < rate.until) rate = { account: acc, until: check.until, window: check.window, limit: check.limit };
      continue;
    }
    if (state.claimFree(acc) <= 0) {
      busy ??= acc;
      continue;
    }
    return { kind: 'account', account: acc };
  }
  if (busy) return { kind: 'account', account: busy };
  return { kind: 'none', rate, backoffUntil };
}

export type ClaimDecision =
  /** fails at once, without an attempt */
  | { kind: 'fail'; account: string | null; error: string; outcome: 'build_error' | 'permanent' | 'rate_limited' }
  /** sandbox mode with no sink to deliver to: back to the queue */
  | { kind: 'hold' }
  /** into the sink; `via`: limits rehearsal, the account whose rate slot it takes as a real send would */
  | { kind: 'sandbox'; payload: MessagePayload; via?: Account }
  | { kind: 'send'; payload: MessagePayload; route: Account[]; via: Account }
  /** waits for the account's next free rate slot */
  | { kind: 'rate_limited'; account: Account; window: RateWindowName; limit: number }
  /** waits for the end of its account's backoff */
  | { kind: 'backoff'; account: string; until: number; error: string };

export interface ClaimContext {
  sandboxMode: boolean;
  /** the sandbox sink listens */
  sandboxReady: boolean;
  /** sandbox mode obeys the accounts' rate limits, routing and limit_behavior (off: it skips them) */
  rehearseLimits?: boolean;
  state: AccountState;
  now: number;
  random: () => number;
  retry: RetrySettings;
}

/** What happens to a claimed message: a send (sandbox or through an account), a wait, or a failure. */
export function decideClaimed(row: ClaimedMessage, c: ClaimContext): ClaimDecision {
  let payload: MessagePayload;
  try {
    payload = JSON.parse(row.payload) as MessagePayload;
  } catch {
    return { kind: 'fail', account: null, error: 'Stored payload is not valid JSON', outcome: 'build_error' };
  }
  // a released captured message goes out for real, whatever the mode
  const sandbox = row.source_captured_id === null && c.sandboxMode;
  if (sandbox && !c.sandboxReady) return { kind: 'hold' };
  if (sandbox && !c.rehearseLimits) return { kind: 'sandbox', payload };
  const primary = c.state.account(row.tenant_id, row.account_id ?? DEFAULT_ACCOUNT_ID);
  // rehearsal is about limits: an account that is not configured has none, its mail is captured
  if (!primary && sandbox) return { kind: 'sandbox', payload };
  if (!primary) return { kind: 'fail', account: null, error: 'Missing SMTP account configuration', outcome: 'permanent' };
  const route = routeOrder(primary, (id) => c.state.account(primary.tenant_id, id), c.random);
  const pick = pickAccount(route, new Set(), c.state, c.now);
  if (pick.kind === 'account') return sandbox ? { kind: 'sandbox', payload, via: pick.account } : { kind: 'send', payload, route, via: pick.account };
  if (pick.rate) {
    const { account, window, limit } = pick.rate;
    if (primary.limit_behavior === 'error') {
      const error = `Rate limit exceeded: ${limit} per ${window} for account '${account.id}'`;
      return { kind: 'fail', account: account.id, error, outcome: 'rate_limited' };
    }
    return { kind: 'rate_limited', account, window, limit };
  }
  return {
    kind: 'backoff',
    account: primary.id,
    until: pick.backoffUntil ?? c.now + backoffDelay(c.retry, 0, c.random),
    error: c.state.backoffError(keyOf(primary)) ?? 'account backing off',
  };
}

/** The account and its fallbacks (of its tenant), unweighted (the accounts that may carry its messages). */
function routeGroup(primary: Account, state: AccountState): Account[] {
  return routeOrder({ ...primary, weight: null }, (id) => state.account(primary.tenant_id, id));
}

function usable(acc: Account, state: AccountState, now: number): boolean {
  return state.backoffUntil(keyOf(acc), now) === null && !state.rateSaturated(acc, now);
}

/**
 * Accounts (their keys) none of whose route can send now because of rate limits: their messages are
 * claimed in bulk to be deferred (or failed) instead of taking claim slots.
 */
export function saturatedAccounts(state: AccountState, now: number): Set<string> {
  const out = new Set<string>();
  for (const acc of state.accounts()) {
    let rateLimited = false;
    let canSend = false;
    for (const m of routeGroup(acc, state)) {
      if (state.backoffUntil(keyOf(m), now) !== null) continue;
      if (state.rateSaturated(m, now)) {
        rateLimited = true;
        continue;
      }
      canSend = true;
      break;
    }
    if (!canSend && rateLimited) out.add(keyOf(acc));
  }
  return out;
}

/** How many more messages of an account may be claimed for sending now (`missing`: for an unknown account). */
export function claimCap(
  account: { tenant_id: string; id: string },
  state: AccountState,
  now: number,
  saturated: ReadonlySet<string>,
  missing: number,
): number {
  if (saturated.has(keyOf(account))) return 0;
  const primary = state.account(account.tenant_id, account.id);
  // an unknown account's messages fail at once: missing account configuration
  if (!primary) return missing;
  let cap = 0;
  for (const acc of routeGroup(primary, state)) {
    if (!usable(acc, state, now)) continue;
    const free = Math.max(0, state.claimFree(acc));
    // without weights the first usable account takes the message; with weights, any of them
    if (primary.weight === null || primary.weight === undefined) return free;
    cap += free;
  }
  return cap;
}

/**
 * Caps of a claim for sending: each account's free slots (keyed by account key); accounts not in the
 * snapshot up to `batch`; messages without an account as the default tenant's default account allows.
 */
export function sendCaps(state: AccountState, now: number, saturated: ReadonlySet<string>, batch: number): ClaimCaps {
  const perAccount = new Map<string, number>();
  for (const acc of state.accounts()) perAccount.set(keyOf(acc), claimCap(acc, state, now, saturated, batch));
  const fallback = { tenant_id: DEFAULT_TENANT, id: DEFAULT_ACCOUNT_ID };
  const noAccount = perAccount.get(keyOf(fallback)) ?? claimCap(fallback, state, now, saturated, batch);
  return { perAccount, noAccount, otherAccounts: batch };
}

/** Caps of the bulk claim of rate-limited accounts' messages: `batch` of each saturated account (by key), nothing else. */
export function bulkCaps(saturated: ReadonlySet<string>, batch: number): ClaimCaps {
  return {
    perAccount: new Map(Array.from(saturated, (key) => [key, batch])),
    noAccount: saturated.has(keyOf({ tenant_id: DEFAULT_TENANT, id: DEFAULT_ACCOUNT_ID })) ? batch : 0,
    otherAccounts: 0,
  };
}

/**
 * For each account that `limited` selects (by key): the ids of its tenant's accounts whose messages may
 * go out through it (their route includes it); null stands for messages without an account (the default's).
 */
export function limitedCarriers(state: AccountState, limited: (acc: Account) => boolean): Map<string, { account: Account; carriers: (string | null)[] }> {
  const out = new Map<string, { account: Account; carriers: (string | null)[] }>();
  for (const primary of state.accounts()) {
    for (const acc of routeGroup(primary, state)) {
      if (!limited(acc)) continue;
      const entry = out.get(keyOf(acc)) ?? { account: acc, carriers: [] };
      entry.carriers.push(primary.id);
      if (primary.id === DEFAULT_ACCOUNT_ID) entry.carriers.push(null);
      out.set(keyOf(acc), entry);
    }
  }
  return out;
}

/** Accounts with limits whose windows a claim did not lock, with the accounts routed through each. */
export type UnlockedWindows = readonly { tenant_id: string; carriers: readonly (string | null)[] }[];

/**
 * Caps that leave out whatever could take a rate slot of an account whose windows are not locked:
 * messages of every account routed through one wait for a later claim.
 */
export function withoutUnlocked(caps: ClaimCaps, unlocked: UnlockedWindows): ClaimCaps {
  if (unlocked.length === 0) return caps;
  const perAccount = new Map(caps.perAccount);
  let noAccount = caps.noAccount;
  for (const { tenant_id, carriers } of unlocked) {
    for (const id of carriers) {
      if (id === null) noAccount = 0;
      else perAccount.set(keyOf({ tenant_id, id }), 0);
    }
  }
  return { ...caps, perAccount, noAccount };
}
