import type { DB } from './db.js';

/** Key/value settings persisted by the UI and API (values are JSON). */
export class SettingsStore {
  private readonly getStmt;
  private readonly setStmt;
  private readonly allStmt;

  constructor(db: DB) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
    this.setStmt = db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    this.allStmt = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings');
  }

  get<T>(key: string): T | undefined {
    const row = this.getStmt.get(key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  set(key: string, value: unknown): void {
    this.setStmt.run(key, JSON.stringify(value));
  }

  all(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const r of this.allStmt.all()) out[r.key] = JSON.parse(r.value);
    return out;
  }
}
