import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDetail } from '../../../../src/shared/api/messages.js';
import { bounceOfReply, replyWithBounces } from '../../../../src/core/sink/bounces/bounce-reply.js';
import { waitFor } from '../../../support/common/wait.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

describe('the bounce in the sink reply', () => {
  it('carries the first hard bounce and reads back; soft bounces and plain replies carry none', () => {
    const reply = replyWithBounces('Ok: captured as 7', [
      { recipient: 'soft@x', status: '4.2.2', diagnostic: '452 4.2.2 full', rule: 'builtin' },
      { recipient: 'hard@x', status: '5.1.1', diagnostic: '550 5.1.1 no such user', rule: 0 },
    ]);
    expect(reply).toBe('Ok: captured as 7; bounced 5.1.1 <hard@x>: 550 5.1.1 no such user');
    expect(bounceOfReply(`250 ${reply}`)).toEqual({ status: '5.1.1', recipient: 'hard@x', diagnostic: '550 5.1.1 no such user', code: 550 });
    expect(replyWithBounces('Ok: captured as 8', [{ recipient: 'soft@x', status: '4.2.2', diagnostic: 'full', rule: 'builtin' }])).toBe('Ok: captured as 8');
    expect(bounceOfReply('250 Ok: captured as 8')).toBeNull();
    expect(bounceOfReply(undefined)).toBeNull();
  });
});

/** Mail through the relay's queue to a bouncing recipient ends as an error with the DSN's status. */
describe("synthetic bounces of the relay's own queue", () => {
  let t: TestRelay;

  beforeAll(async () => {
    t = await startTestRelay();
    expect((await t.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 2525 } })).status).toBe(200);
  });
  afterAll(async () => {
    await t.stop();
  });

  const detail = async (id: string) => (await (await t.api(`/api/messages/${id}`)).json()) as MessageDetail;

  it('records a hard bounce as an error with the status and diagnostic, and a soft one as sent', async () => {
    const messages = [
      { id: 'hard-1', account_id: 'acc', from: 'app@example.com', to: 'bounce+hard@example.org', subject: 'hard', body: 'x' },
      { id: 'soft-1', account_id: 'acc', from: 'app@example.com', to: 'bounce+soft@example.org', subject: 'soft', body: 'x' },
    ];
    expect((await t.api('/commands/add-messages', { method: 'POST', json: { messages } })).status).toBe(200);
    await waitFor(async () => (await detail('hard-1')).message.state === 'error' && (await detail('soft-1')).message.state === 'sent', 'both final', 20_000);
    const hard = await detail('hard-1');
    const error = hard.timeline.find((e) => e.type === 'error')!;
    expect(JSON.stringify(error.detail)).toContain('"code":550');
    expect(JSON.stringify(hard)).toContain('status 5.1.1');
    expect(JSON.stringify(hard)).toContain('bounce+hard@example.org');
    // both DSNs were captured for the sender
    await waitFor(async () => (await t.relay.store.captured.list({ limit: 50 })).items.filter((c) => c.from.includes('MAILER-DAEMON')).length === 2, 'two DSNs');
  });
});
