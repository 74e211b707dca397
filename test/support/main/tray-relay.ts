import { test } from 'vitest';
import type { MessagePayload } from '../../../src/core/messages/types.js';
import { RelayStatusModel } from '../../../src/main/tray/relay-status.js';
import type { TrayActions } from '../../../src/main/tray/tray-menu.js';
import { startTestRelay, type TestRelay } from '../relay/test-relay.js';

/** A message for the tray to count. */
export function payload(id: string): MessagePayload {
  return { id, from: 'app@example.com', to: ['user@example.com'], subject: `subject ${id}`, body: 'hello', content_type: 'plain', priority: 2 };
}

/** Tray actions that change the relay for real, as the desktop app's do. */
export function relayActions(t: TestRelay, log: string[]): TrayActions {
  return {
    setMode: (mode) => {
      void t.relay.services.settings.update({ delivery_mode: mode });
    },
    setPaused: (paused) => {
      void t.relay.services.settings.update({ paused });
    },
    setRehearseLimits: (enabled) => {
      void t.relay.services.settings.update({ sandbox_rehearse_limits: enabled });
    },
    openWindow: () => log.push('open'),
    copySmtpSettings: () => log.push('copy-smtp'),
    copyApiSettings: () => log.push('copy-api'),
    setStartAtLogin: (v) => log.push(`login:${v}`),
    setNotificationsMuted: (v) => log.push(`mute:${v}`),
    quit: () => log.push('quit'),
  };
}

/** What the desktop app hands the tray model: the relay's services and how to reach it. */
export function statusSource(t: TestRelay) {
  const connection = () => {
    const a = t.relay.addresses();
    return { url: a.url, token: t.relay.token, smtp: a.smtp };
  };
  return { services: t.relay.services, connection, logger: t.relay.ctx.logger };
}

/**
 * `it` with two fixtures: `t`, a relay with dispatch paused (enqueued messages stay queued, so counts are
 * stable), and `status`, its tray model. Both are stopped after the test, the model first.
 */
export const itOnPausedRelay = test.extend<{ t: TestRelay; status: RelayStatusModel }>({
  t: async ({ task: _task }, use) => {
    const t = await startTestRelay();
    await t.relay.ctx.settings.update({ paused: true });
    await use(t);
    await t.stop();
  },
  status: async ({ t }, use) => {
    const status = await RelayStatusModel.create(statusSource(t), { coalesceMs: 10 });
    await use(status);
    status.stop();
  },
});
