import crypto from 'node:crypto';
import { accountKey, type RateSlot, type RateWindowAccount, type RelayInstance, type SharedBackoff } from '../ports.js';
import { guardOf } from '../sql/transitions.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

/** The advisory lock of an account's rate windows: 64 bits of a hash of its key (collisions only over-serialize). */
function windowLockId(key: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${crypto.createHash('sha1').update(`rate:${key}`).digest('hex').slice(0, 16)}`));
}

/**
 * Takes the advisory locks ($1) whose candidate is always locked ($4) or whose source has queued work:
 * account $3 of tenant $2, or the tenant's messages without an account ($3 null); in lock-id order.
 */
const LOCK_DUE_WINDOWS = `SELECT l.id::text AS id, pg_advisory_xact_lock(l.id) FROM (
    SELECT DISTINCT c.id FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bool[]) AS c(id, t, a, always)
    WHERE c.always
      OR (c.a IS NOT NULL AND EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = c.t AND m.account_id = c.a AND ${guardOf('claim', 'm')}))
      OR (c.a IS NULL AND EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = c.t AND m.account_id IS NULL AND ${guardOf('claim', 'm')}))
    ORDER BY c.id) l`;

/**
 * What several relays on one database share besides the queue: their heartbeats, lease renewal, the
 * rate slots of sends in flight (send_log rows with `seq` set until the outcome) and account backoffs.
 */
export class PgDispatchLeases {
  constructor(
    private readonly runner: PgTransactionRunner,
    private readonly scope: PgScope,
  ) {}

  /** Only the owner's leases: one that expired and was claimed by another relay meanwhile stays theirs. */
  renewLeases(seqs: readonly number[], leaseUntil: number, owner: string) {
    return this.scope(async (db) => {
      if (seqs.length === 0) return 0;
      const r = await db.query(
        `UPDATE messages SET lease_until = $1 WHERE seq = ANY($2::bigint[]) AND ${guardOf('expire')} AND lease_owner = $3`,
        [leaseUntil, [...seqs], owner],
      );
      return r.rowCount ?? 0;
    });
  }

  heartbeat(relay: RelayInstance, now: number) {
    return this.scope(async (db) => {
      await db.query(
        `INSERT INTO relays (id, host, pid, started_ts, heartbeat_ts) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET heartbeat_ts = EXCLUDED.heartbeat_ts`,
        [relay.id, relay.host, relay.pid, relay.started_ts, now],
      );
    });
  }

  forgetRelay(id: string) {
    return this.scope(async (db) => {
      await db.query('DELETE FROM relays WHERE id = $1', [id]);
    });
  }

  liveRelays(since: number) {
    return this.scope(async (db) =>
      (await db.query<RelayInstance>('SELECT id, host, pid, started_ts FROM relays WHERE heartbeat_ts > $1 ORDER BY started_ts, id', [since])).rows,
    );
  }

  /**
   * One statement locks, in one global order (by lock id, so two claims never wait for each other in a
   * cycle), the accounts due work may use; a second reads their windows once the locks are held.
   */
  lockRateWindows(accounts: readonly RateWindowAccount[], since: number, owner: string) {
    return this.scope(async (db) => {
      const out = new Map<string, number[]>();
      if (accounts.length === 0) return out;
      return this.runner.write(db, async (tx) => {
        const byLock = new Map<string, RateWindowAccount[]>();
        const candidates: { lock: string; t: string; source: string | null; always: boolean }[] = [];
        for (const a of accounts) {
          const lock = windowLockId(accountKey(a.tenant_id, a.id)).toString();
          byLock.set(lock, [...(byLock.get(lock) ?? []), a]);
          if (!a.sources) candidates.push({ lock, t: a.tenant_id, source: null, always: true });
          for (const source of a.sources ?? []) candidates.push({ lock, t: a.tenant_id, source, always: false });
        }
        const { rows: locked } = await tx.query<{ id: string }>(LOCK_DUE_WINDOWS, [
          candidates.map((c) => c.lock),
          candidates.map((c) => c.t),
          candidates.map((c) => c.source),
          candidates.map((c) => c.always),
        ]);
        const held = locked.flatMap((l) => byLock.get(String(l.id)) ?? []);
        if (held.length === 0) return out;
        for (const a of held) out.set(accountKey(a.tenant_id, a.id), []);
        const { rows } = await tx.query<{ t: string; a: string; ts: number }>(
          `SELECT s.tenant_id AS t, s.account_id AS a, s.ts FROM send_log s
           JOIN unnest($1::text[], $2::text[]) AS k(t, a) ON s.tenant_id = k.t AND s.account_id = k.a
           WHERE s.ts > $3 AND (s.seq IS NULL OR s.owner IS DISTINCT FROM $4) ORDER BY s.ts`,
          [held.map((a) => a.tenant_id), held.map((a) => a.id), since, owner],
        );
        for (const r of rows) out.get(accountKey(r.t, r.a))?.push(r.ts);
        return out;
      });
    });
  }

  /** A seq's slot replaces the one it held (a failover moves it to the next account). */
  takeRateSlots(slots: readonly RateSlot[], now: number, owner: string) {
    return this.scope(async (db) => {
      if (slots.length === 0) return;
      await db.query(
        `WITH moved AS (DELETE FROM send_log WHERE seq = ANY($5::bigint[]) AND owner = $4)
         INSERT INTO send_log (tenant_id, account_id, ts, seq, owner) SELECT t, a, $3, s, $4 FROM unnest($1::text[], $2::text[], $5::bigint[]) AS k(t, a, s)`,
        [slots.map((s) => s.tenant_id), slots.map((s) => s.account_id), now, owner, slots.map((s) => s.seq)],
      );
    });
  }

  /** A later backoff wins; null (recovered) ends it for every relay. */
  shareBackoff(tenantId: string, accountId: string, until: number | null, error: string) {
    return this.scope(async (db) => {
      if (until === null) {
        await db.query('DELETE FROM account_backoffs WHERE tenant_id = $1 AND account_id = $2', [tenantId, accountId]);
        return;
      }
      await db.query(
        `INSERT INTO account_backoffs (tenant_id, account_id, until_ts, error) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, account_id) DO UPDATE SET until_ts = GREATEST(account_backoffs.until_ts, EXCLUDED.until_ts), error = EXCLUDED.error`,
        [tenantId, accountId, until, error],
      );
    });
  }

  sharedBackoffs(now: number) {
    return this.scope(
      async (db): Promise<SharedBackoff[]> =>
        (
          await db.query<SharedBackoff>(
            'SELECT tenant_id, account_id, until_ts AS until, error FROM account_backoffs WHERE until_ts > $1 ORDER BY tenant_id, account_id',
            [now],
          )
        ).rows,
    );
  }
}
