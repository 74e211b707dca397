import type { RelayInstance, SharedBackoff } from '../ports.js';
import { guardOf } from '../sql/transitions.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';

/**
 * Lease renewal on SQLite. A SQLite file serves one relay (its limits and backoffs are counted in that
 * process, exactly), so the calls that share them between relays record nothing here.
 */
export class DispatchLeases {
  private readonly st;

  constructor(
    private readonly runner: TransactionRunner,
    private readonly scope: Scope,
  ) {
    this.st = runner.once(({ db }) => ({
      renew: db.prepare<[number, string], unknown>(
        `UPDATE messages NOT INDEXED SET lease_until = ? WHERE seq IN (SELECT value FROM json_each(?)) AND ${guardOf('expire')}`,
      ),
    }));
  }

  renewLeases(seqs: readonly number[], leaseUntil: number) {
    return this.scope(() => {
      if (seqs.length === 0) return 0;
      return this.runner.write(() => this.st.renew.run(leaseUntil, JSON.stringify(seqs)).changes);
    });
  }

  heartbeat(): Promise<void> {
    return Promise.resolve();
  }

  forgetRelay(): Promise<void> {
    return Promise.resolve();
  }

  liveRelays(): Promise<RelayInstance[]> {
    return Promise.resolve([]);
  }

  lockRateWindows(): Promise<Map<string, number[]> | null> {
    return Promise.resolve(null);
  }

  takeRateSlots(): Promise<void> {
    return Promise.resolve();
  }

  shareBackoff(): Promise<void> {
    return Promise.resolve();
  }

  sharedBackoffs(): Promise<SharedBackoff[] | null> {
    return Promise.resolve(null);
  }
}
