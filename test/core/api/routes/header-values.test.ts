import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageKey } from '../../../../src/core/store/records.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

/** Header values on add-messages: text, numbers and booleans written as text, anything else a 4xx (#17.6). */
describe('add-messages header values', () => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay();
    await t.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 2525 } });
  });
  afterAll(async () => {
    await t.stop();
  });
  const msg = (id: string, headers: unknown) => ({ id, account_id: 'acc', from: 'a@example.com', to: ['b@example.com'], subject: 's', body: 'b', headers });

  it('takes numbers and booleans as their text', async () => {
    const res = await t.api('/commands/add-messages', { method: 'POST', json: { messages: [msg('num', { 'X-Count': 3, 'X-Flag': true })] } });
    expect(await res.json()).toMatchObject({ ok: true, queued: 1 });
    const stored = await t.relay.store.messages.get(messageKey('num'));
    expect(stored?.payload.headers).toEqual({ 'X-Count': '3', 'X-Flag': 'true' });
  });

  it.each([
    ['an object', { 'X-Obj': { a: 1 } }],
    ['a list', { 'X-List': ['a', 'b'] }],
  ])('refuses %s with a 4xx naming the header, never a 500, and queues nothing', async (_what, headers) => {
    const res = await t.api('/commands/add-messages', { method: 'POST', json: { messages: [msg('bad', headers)] } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(JSON.stringify(await res.json())).toContain(Object.keys(headers)[0]);
    expect(await t.relay.store.messages.get(messageKey('bad'))).toBeNull();
  });
});
