import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../../src/core/store/index.js';
import { describeStoreContract, recordAnnouncements } from '../../support/store/contract.js';

describeStoreContract('sqlite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gmr-contract-'));
  const file = path.join(dir, 'relay.db');
  const { announced, hooks } = recordAnnouncements();
  const store = await openStore({ path: file, ...hooks });
  return {
    store,
    announced,
    plantOrphanEvent: async (messageId, ts) => {
      const db = new Database(file);
      try {
        db.prepare(`INSERT INTO message_events (message_id, ts, type, state) VALUES (?, ?, 'queued', 'queued')`).run(messageId, ts);
      } finally {
        db.close();
      }
    },
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
