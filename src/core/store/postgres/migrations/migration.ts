/** One step of the PostgreSQL schema: applied once, in version order, in its own transaction. */
export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}
