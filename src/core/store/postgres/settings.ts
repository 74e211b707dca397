import type { SettingsPort } from '../ports.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

/** Key/value settings persisted by the UI and API (values are JSON). */
export class PgSettings implements SettingsPort {
  constructor(
    private readonly runner: PgTransactionRunner,
    private readonly scope: PgScope,
  ) {}

  get<T>(key: string): Promise<T | undefined> {
    return this.scope(async (db) => {
      const { rows } = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
      return rows[0] ? (JSON.parse(rows[0].value) as T) : undefined;
    });
  }

  set(key: string, value: unknown) {
    return this.scope((db) =>
      this.runner.write(db, async (tx) => {
        await tx.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, JSON.stringify(value)]);
      }),
    );
  }

  /** In one statement: relays changing different keys at once both keep their change. */
  merge(key: string, patch: Record<string, unknown>) {
    return this.scope((db) =>
      this.runner.write(db, async (tx) => {
        await tx.query(
          `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value =
             CASE WHEN jsonb_typeof(settings.value::jsonb) = 'object' THEN (settings.value::jsonb || excluded.value::jsonb)::text ELSE excluded.value END`,
          [key, JSON.stringify(patch)],
        );
      }),
    );
  }

  all() {
    return this.scope(async (db) => {
      const out: Record<string, unknown> = {};
      for (const r of (await db.query<{ key: string; value: string }>('SELECT key, value FROM settings')).rows) out[r.key] = JSON.parse(r.value);
      return out;
    });
  }
}
