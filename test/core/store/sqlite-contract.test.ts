import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../../src/core/store/index.js';
import { describeStoreContract, recordAnnouncements } from '../../support/store/contract.js';

describeStoreContract('sqlite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gmr-contract-'));
  const { announced, hooks } = recordAnnouncements();
  const store = await openStore({ path: path.join(dir, 'relay.db'), ...hooks });
  return {
    store,
    announced,
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
