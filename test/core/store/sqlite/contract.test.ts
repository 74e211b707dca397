import { describeStoreContract, recordAnnouncements } from '../../../support/store/contract.js';
import { openTempStore } from '../../../support/store/sqlite.js';

describeStoreContract('sqlite', async () => {
  const { announced, hooks } = recordAnnouncements();
  const t = await openTempStore(hooks);
  return {
    store: t.store,
    announced,
    plantOrphanEvent: async (messageId, ts) => {
      await t.store.withConnection((db) =>
        db.prepare(`INSERT INTO message_events (message_id, ts, type, state) VALUES (?, ?, 'queued', 'queued')`).run(messageId, ts),
      );
    },
    cleanup: () => t.remove(),
  };
});
