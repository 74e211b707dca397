import type { Migration } from './migration.js';

/**
 * Reports need no schema: the report loop reads messages_unreported and acknowledges by moving rows to
 * 'reported'. The version stays reserved so that later migrations keep their numbers.
 */
export const migration004: Migration = {
  version: 4,
  name: 'delivery reports',
  up: () => {},
};
