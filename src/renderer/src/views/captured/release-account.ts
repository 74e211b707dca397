import type { AccountView } from '../../api/types.js';

/** An account a release may go through: the default tenant's (a release is queued there). */
export function releaseAccounts(accounts: readonly AccountView[]): AccountView[] {
  return accounts.filter((a) => !a.tenant_id);
}

/** Whether the account is held back after a connection failure at `now` (epoch seconds). */
export function inBackoff(a: AccountView, now: number): boolean {
  return a.backoff_until !== null && a.backoff_until > now;
}

/**
 * Which account the release control offers first: the first healthy one (not backing off); none
 * when every account backs off, so that the user chooses knowingly.
 */
export type ReleaseDefault = { kind: 'pick'; id: string } | { kind: 'ask'; reason: 'no_accounts' | 'all_backing_off' };

export function releaseDefault(accounts: readonly AccountView[], now: number): ReleaseDefault {
  if (accounts.length === 0) return { kind: 'ask', reason: 'no_accounts' };
  const healthy = accounts.find((a) => !inBackoff(a, now));
  return healthy ? { kind: 'pick', id: healthy.id } : { kind: 'ask', reason: 'all_backing_off' };
}
