import type { SettingsPort } from '../ports.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';

function prepare({ db }: Pick<TransactionRunner, 'db'>) {
  return {
    get: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    set: db.prepare<[string, string]>('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    all: db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings'),
  };
}

/** Key/value settings persisted by the UI and API (values are JSON). */
export class SqliteSettings implements SettingsPort {
  private readonly st;

  constructor(
    private readonly runner: TransactionRunner,
    private readonly scope: Scope,
  ) {
    this.st = runner.once(prepare);
  }

  get<T>(key: string): Promise<T | undefined> {
    return this.scope(() => {
      const row = this.st.get.get(key);
      return row ? (JSON.parse(row.value) as T) : undefined;
    });
  }

  set(key: string, value: unknown) {
    return this.scope(() => this.runner.write(() => void this.st.set.run(key, JSON.stringify(value))));
  }

  /** Read and written in one synchronous step: nothing comes between them. */
  merge(key: string, patch: Record<string, unknown>) {
    return this.scope(() =>
      this.runner.write(() => {
        const row = this.st.get.get(key);
        const stored: unknown = row ? JSON.parse(row.value) : undefined;
        const base = stored !== null && typeof stored === 'object' && !Array.isArray(stored) ? stored : {};
        this.st.set.run(key, JSON.stringify({ ...base, ...patch }));
      }),
    );
  }

  all() {
    return this.scope(() => {
      const out: Record<string, unknown> = {};
      for (const r of this.st.all.all()) out[r.key] = JSON.parse(r.value);
      return out;
    });
  }
}
