import type { Migration } from './index.js';

export const migration002: Migration = {
  version: 2,
  name: 'captured mail (sink)',
  up: () => {
    // no schema change
  },
};
