import type { Logger } from 'pino';
import { nowSec, type Clock } from '../clock.js';
import type { DispatchPort, RelayInstance } from '../store/ports.js';
import { renewalSeconds } from './relay-instance.js';

export interface LeaseKeeperDeps {
  dispatch: Pick<DispatchPort, 'renewLeases' | 'heartbeat' | 'forgetRelay'>;
  instance: RelayInstance;
  leaseSeconds: number;
  clock: Clock;
  logger: Logger;
  /** seqs of the messages this process holds (claimed, sending, being recorded) */
  held(): number[];
}

/**
 * Keeps this relay's leases alive while it holds them: every renewal period it records a heartbeat and
 * pushes the leases of every message it still holds one lease ahead (one UPDATE), so a slow send is never
 * taken by another relay, and a relay that died is recognised by its stale heartbeat.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | null = null;
  private turn: Promise<void> | null = null;

  constructor(private readonly deps: LeaseKeeperDeps) {}

  /** Records the first heartbeat, then keeps renewing until `stop`. */
  async start(): Promise<void> {
    await this.deps.dispatch.heartbeat(this.deps.instance, nowSec(this.deps.clock));
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.turn ??= this.renew().finally(() => (this.turn = null));
    }, renewalSeconds(this.deps.leaseSeconds) * 1000);
    this.timer.unref();
  }

  /** One renewal now (the timer's turn). */
  async renew(): Promise<void> {
    const { dispatch, instance, leaseSeconds, clock, logger } = this.deps;
    const now = nowSec(clock);
    try {
      await dispatch.heartbeat(instance, now);
      const seqs = this.deps.held();
      if (seqs.length > 0) await dispatch.renewLeases(seqs, now + leaseSeconds, instance.id);
    } catch (err) {
      logger.warn({ err }, 'could not renew leases; retrying at the next turn');
    }
  }

  /** Stops renewing; `forget`: the relay returned its leases and leaves. */
  async stop(forget: boolean): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.turn;
    if (forget) await this.deps.dispatch.forgetRelay(this.deps.instance.id).catch((err: unknown) => this.deps.logger.warn({ err }, 'could not forget this relay'));
  }
}
