import type Database from 'better-sqlite3';
import { migration001 } from './001_core.js';
import { migration002 } from './002_captured.js';
import { migration003 } from './003_delivery.js';
import { migration004 } from './004_reports.js';
import { migration005 } from './005_tenants.js';
import { migration006 } from './006_tenant_messages.js';
import { migration007 } from './007_insecure_auth.js';
import { migration008 } from './008_report_apart.js';
import { migration010 } from './010_queue_search.js';
import { migration011 } from './011_captured_tags.js';
import { migration013 } from './013_captured_filenames.js';
import { migration015 } from './015_timeline_ts_index.js';
import type { Migration } from './migration.js';

export type { Migration };

export const MIGRATIONS: Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008, migration010, migration011, migration013, migration015];

/** Applies every migration newer than the database's user_version, each in its own transaction. */
export function runMigrations(db: Database.Database, migrations: Migration[] = MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  let applied = 0;
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied++;
  }
  return applied;
}
