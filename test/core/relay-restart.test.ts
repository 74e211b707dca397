import { describe, expect, it } from 'vitest';
import { startTestRelay } from '../support/relay/test-relay.js';
import { tempDir } from '../support/common/temp-dir.js';
import { messageKey as key } from '../../src/core/store/records.js';

describe('a relay restarted on the same data folder', () => {
  it('keeps accounts, messages, settings and the generated token', async () => {
    const dataDir = tempDir();
    const first = await startTestRelay({ apiToken: null }, { dataDir });
    const token = first.token;
    expect(token.length).toBeGreaterThan(20);
    await first.relay.ctx.settings.update({ paused: true });
    await first.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 2525, password: 'pw' } });
    await first.api('/commands/add-messages', {
      method: 'POST',
      json: { messages: [{ id: 'keep-1', account_id: 'acc', from: 'a@b.c', to: 'd@e.f', subject: 's', body: 'b' }] },
    });
    await first.api('/api/settings', { method: 'PATCH', json: { delivery_mode: 'real' } });
    await first.stop();

    const second = await startTestRelay({ apiToken: null }, { dataDir });
    try {
      expect(second.token).toBe(token);
      expect((await second.relay.store.messages.get(key('keep-1')))?.state).toBe('queued');
      expect((await second.relay.store.accounts.get('', 'acc'))?.password).toBe('pw');
      expect(second.relay.ctx.settings.current().delivery_mode).toBe('real');
      expect(second.relay.ctx.settings.current().paused).toBe(true);
      expect(await second.relay.store.integrityCheck()).toBe('ok');
    } finally {
      await second.stop();
    }
  });
});
