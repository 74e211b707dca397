import type { Migration } from './migration.js';

/**
 * Delivery reports need no schema of their own: the report loop reads the core partial index
 * messages_unreported, acknowledges by moving rows to state 'reported' (messages_reported serves
 * retention), and keeps its status in memory. The version stays reserved so that the numbering
 * of later migrations does not depend on this area.
 */
export const migration004: Migration = {
  version: 4,
  name: 'delivery reports',
  up: () => {},
};
