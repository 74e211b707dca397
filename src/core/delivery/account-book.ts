import { accountKey, type Account, type AccountsPort, type SharedBackoff } from '../store/ports.js';

interface Backoff {
  until: number;
  failures: number;
  error: string;
}

/**
 * The accounts as the engine sees them: a snapshot of the store's accounts (every tenant's) that
 * decisions read synchronously (reloaded after the store announces a change), and the accounts backing
 * off after connection failures. Accounts are keyed by accountKey(tenant_id, id).
 */
export class AccountBook {
  private accounts: readonly Account[] = [];
  private byKey = new Map<string, Account>();
  private stale = true;
  private readonly backoffs = new Map<string, Backoff>();

  /** The store committed a change of accounts: the next claim reloads the snapshot first. */
  markStale(): void {
    this.stale = true;
  }

  isStale(): boolean {
    return this.stale;
  }

  /** Reloads the snapshot; a change announced while it loads leaves it stale for the next claim. */
  async reload(port: Pick<AccountsPort, 'list'>): Promise<void> {
    this.stale = false;
    try {
      const list = await port.list();
      this.accounts = list;
      this.byKey = new Map(list.map((a) => [accountKey(a.tenant_id, a.id), a]));
    } catch (err) {
      this.stale = true;
      throw err;
    }
  }

  get(tenantId: string, id: string): Account | null {
    return this.byKey.get(accountKey(tenantId, id)) ?? null;
  }

  /** ordered by tenant, then id */
  list(): readonly Account[] {
    return this.accounts;
  }

  /** When the account's (by key) backoff ends, or null when it is not backing off. */
  backoffUntil(key: string, now: number): number | null {
    const b = this.backoffs.get(key);
    return b && b.until > now ? b.until : null;
  }

  /** The failure that made the account back off last. */
  backoffError(key: string): string | null {
    return this.backoffs.get(key)?.error ?? null;
  }

  /**
   * A connection-level failure: the account backs off for `delay(n)` seconds, n counting the failures in a
   * row from 0, unless it is backing off already. Says until when, and whether this failure started it.
   */
  backOff(key: string, error: string, now: number, delay: (n: number) => number): { until: number; started: boolean } {
    const b = this.backoffs.get(key);
    if (b && b.until > now) return { until: b.until, started: false };
    const failures = (b?.failures ?? 0) + 1;
    const until = now + delay(failures - 1);
    this.backoffs.set(key, { until, failures, error });
    return { until, started: true };
  }

  /** The account's server accepted a message: its failures are forgotten; says whether it was backing off. */
  recovered(key: string): boolean {
    const b = this.backoffs.get(key);
    this.backoffs.delete(key);
    return b !== undefined;
  }

  /** Backoffs other relays started (sharing the database): a later end than this process knows wins. */
  adopt(shared: readonly SharedBackoff[], now: number): void {
    for (const s of shared) {
      const key = accountKey(s.tenant_id, s.account_id);
      const b = this.backoffs.get(key);
      if (s.until <= now || (b && b.until >= s.until)) continue;
      this.backoffs.set(key, { until: s.until, failures: b?.failures ?? 1, error: s.error });
    }
  }

  /** the ends of the backoffs still running */
  backoffEnds(now: number): number[] {
    const out: number[] = [];
    for (const b of this.backoffs.values()) if (b.until > now) out.push(b.until);
    return out;
  }
}
