import fs from 'node:fs';
import { ManualClock, type Clock } from '../../../src/core/clock.js';
import type { RelayContext } from '../../../src/core/context.js';
import { RelayBus } from '../../../src/core/events.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { MessagePayload, MessageState } from '../../../src/core/messages/types.js';
import { RuntimeSettings, type RuntimeSettingsValues } from '../../../src/core/settings/runtime-settings.js';
import { openSyncStore as openStore, type SyncStore as Store } from '../../../src/core/store/index.js';
import { tempDir, testConfig, type ConfigPatch } from '../../helpers/relay.js';

export interface TestContext {
  ctx: RelayContext;
  store: Store;
  bus: RelayBus;
  clock: Clock;
  close(): void;
}

/** A real store in a temp dir, a bus and runtime settings: what the reporter and metrics get from the relay. */
export function makeContext(
  opts: { clock?: Clock; config?: ConfigPatch; settings?: Partial<RuntimeSettingsValues> } = {},
): TestContext {
  const dir = tempDir('gmr-report-');
  const config = testConfig(dir, opts.config);
  const bus = new RelayBus();
  const store = openStore({ path: config.dbPath, onMessageEvents: (evs) => bus.emit('messages', evs) });
  const settings = new RuntimeSettings(store.settings, bus, config, opts.settings);
  const clock = opts.clock ?? new ManualClock(Date.UTC(2026, 0, 1));
  const ctx: RelayContext = { config, clock, logger: silentLogger(), store, bus, settings };
  return {
    ctx,
    store,
    bus,
    clock,
    close() {
      bus.removeAllListeners();
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function payload(id: string, account = 'acc'): MessagePayload {
  return {
    id,
    account_id: account,
    from: 'app@example.com',
    to: ['user@example.com'],
    subject: `subject ${id}`,
    body: 'hello',
    content_type: 'plain',
    priority: 2,
  };
}

/**
 * Queues messages and moves them to a final state as the dispatcher would (the report loop only
 * reads the final columns).
 */
export function addFinal(
  store: Store,
  ids: string[],
  outcome: { state: 'sent' | 'error'; ts: number; error?: string; sandbox?: boolean; account?: string },
): void {
  store.messages.enqueueBatch(ids.map((id) => payload(id, outcome.account)), outcome.ts - 5);
  const stmt = store.db.prepare(
    `UPDATE messages SET state = @state, sent_ts = @sent_ts, error_ts = @error_ts, error = @error,
       sandbox = @sandbox, updated_ts = @ts, attempts = 1 WHERE id = @id`,
  );
  for (const id of ids) {
    stmt.run({
      id,
      state: outcome.state,
      sent_ts: outcome.state === 'sent' ? outcome.ts : null,
      error_ts: outcome.state === 'error' ? outcome.ts : null,
      error: outcome.state === 'error' ? (outcome.error ?? '550 mailbox unavailable (SMTP 550)') : null,
      sandbox: outcome.sandbox ? 1 : 0,
      ts: outcome.ts,
    });
  }
}

export function stateOf(store: Store, id: string): MessageState | null {
  return store.messages.get(id)?.state ?? null;
}

export function reportedTs(store: Store, id: string): number | null {
  return store.messages.get(id)?.reported_ts ?? null;
}
