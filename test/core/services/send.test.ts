import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/services/errors.js';
import { createSendService } from '../../../src/core/services/send.js';
import { contextPerTest } from '../../support/relay/context.js';
import { withIntake } from '../../support/services/intake-context.js';
import { messageKey as key } from '../../../src/core/store/records.js';

const context = contextPerTest();

async function setup() {
  const ctx = await withIntake(await context());
  const send = createSendService({ intake: ctx.intake, messages: ctx.store.messages, settings: ctx.settings, bus: ctx.bus });
  return { ...ctx, send };
}

describe('send service', () => {
  const base = { from: 'app@example.com', to: ['user@example.org'], subject: 'hi', body_text: 'x' };

  it('names the field the one validation refuses, before anything is queued', async () => {
    const s = await setup();
    const field = async (req: Parameters<typeof s.send.send>[0]) => {
      const err = await s.send.send(req).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      return (err as ValidationError).issues;
    };
    expect(await field({ ...base, account_id: 'nope' })).toEqual([{ field: 'account_id', message: "account 'nope' not found" }]);
    expect(await field({ ...base, headers: { 'X-T': 'a\r\nb' } })).toEqual([{ field: 'headers.X-T', message: 'must not contain CR or LF' }]);
    expect(await field({ ...base, attachments: [{ content: '!!' }] })).toEqual([{ field: 'attachments.0.content', message: 'must be base64' }]);
    await s.settings.update({ delivery_mode: 'real' });
    expect(await field(base)).toEqual([{ field: 'account_id', message: 'required in real delivery mode' }]);
    expect((await s.store.messages.countByState()).queued).toBe(0);
    expect(s.wakes).toEqual(['dispatch']);
  });

  it('queues at immediate priority and, without a wait, answers with the state at once', async () => {
    const s = await setup();
    const r = await s.send.send({ ...base, id: 'send-1', body_html: '<b>x</b>' });
    expect(r).toEqual({ final: false, id: 'send-1', state: 'queued' });
    expect((await s.store.messages.get(key('send-1')))?.payload).toMatchObject({ priority: 0, content_type: 'html', body: '<b>x</b>', body_text: 'x' });
    await expect(s.send.send({ ...base, id: 'send-1' })).resolves.toMatchObject({ final: false });
  });

  it('stops waiting when the client goes away', async () => {
    const s = await setup();
    const gone = new AbortController();
    const waiting = s.send.send({ ...base, id: 'w1' }, { waitSeconds: 30, signal: gone.signal });
    setTimeout(() => gone.abort(), 20);
    expect(await waiting).toEqual({ final: false, id: 'w1', state: 'queued' });
    expect(s.bus.listenerCount('messages')).toBe(0);
  });
});
