import type { Migration } from './index.js';

export const migration003: Migration = {
  version: 3,
  name: 'delivery engine',
  up: () => {
    // no schema change
  },
};
