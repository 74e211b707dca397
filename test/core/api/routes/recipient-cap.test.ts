import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

/** `[delivery] max_recipients` through the two entry points that take messages (#17.6). */
describe('the recipient cap on the API', () => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay({ delivery: { maxRecipients: 2 } });
    await t.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 2525 } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('add-messages: a rejected reason for the message over the cap, the others queued', async () => {
    const msg = (id: string, over: Record<string, unknown> = {}) => ({ id, account_id: 'acc', from: 'a@example.com', to: ['b@example.com'], subject: 's', body: 'b', ...over });
    const res = await t.api('/commands/add-messages', {
      method: 'POST',
      json: { messages: [msg('fits', { cc: ['c@example.com'] }), msg('over', { cc: ['c@example.com'], bcc: ['d@example.com'] })] },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, queued: 1, rejected: [{ id: 'over', reason: expect.stringMatching(/^too many recipients: 3 .*max_recipients/) }] });
  });

  it('/api/send: 422 naming the field', async () => {
    const res = await t.api('/api/send', { method: 'POST', json: { from: 'a@example.com', to: ['b@example.com', 'c@example.com', 'd@example.com'], subject: 's', body_text: 'x' } });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { fields?: { field: string; message: string }[] } };
    expect(body.error.fields).toEqual([{ field: 'to', message: expect.stringContaining('too many recipients') }]);
  });
});
