import type Database from 'better-sqlite3';

/** One step of the schema: applied once, in version order, in its own transaction (see index.ts). */
export interface Migration {
  version: number;
  name: string;
  up: (db: Database.Database) => void;
}
