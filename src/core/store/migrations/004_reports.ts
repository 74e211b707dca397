import type { Migration } from './index.js';

export const migration004: Migration = {
  version: 4,
  name: 'delivery reports',
  up: () => {
    // no schema change
  },
};
