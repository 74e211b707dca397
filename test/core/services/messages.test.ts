import { describe, expect, it } from 'vitest';
import { ClassicDetailError } from '../../../src/core/errors.js';
import type { MessageInput } from '../../../src/core/messages/payload-schema.js';
import { createMessagesService } from '../../../src/core/services/messages.js';
import { contextPerTest } from '../../support/relay/context.js';
import { withIntake } from '../../support/services/intake-context.js';
import { messageKey as key } from '../../../src/core/store/records.js';
import { ADMIN } from '../../../src/core/services/scope.js';

const context = contextPerTest();

async function setup() {
  const ctx = await withIntake(await context());
  const cleanups: [number | null | undefined, string][] = [];
  const messages = createMessagesService({
    messages: ctx.store.messages,
    intake: ctx.intake,
    cleanup: async (s, tenant) => (cleanups.push([s, tenant]), 7),
    bus: ctx.bus,
    clock: ctx.clock,
    defaultPriority: 2,
  });
  const add = (list: MessageInput[], defaultPriority?: string) => messages.add(ADMIN, { messages: list, default_priority: defaultPriority });
  return { ...ctx, messages, cleanups, add };
}

const msg = (id: string, over: Partial<MessageInput> = {}): MessageInput => ({ id, account_id: 'acc', from: 'a@example.com', to: 'b@example.com', subject: `s ${id}`, body: 'b', ...over });

describe('messages service (classic intake)', () => {
  it('queues the valid messages in one go, names each rejection, and wakes dispatch once after the commit', async () => {
    const s = await setup();
    const result = await s.add([msg('ok-1'), msg('bad', { account_id: 'ghost' }), msg('crlf', { subject: 'a\nb' }), msg('ok-2', { priority: 'high' })], 'low');
    expect(result).toEqual({
      queued: 2,
      allRejected: false,
      rejected: [
        { id: 'bad', reason: 'account not found' },
        { id: 'crlf', reason: 'invalid subject: contains CR or LF' },
      ],
    });
    expect(s.wakes).toEqual(['dispatch']);
    expect((await s.store.messages.get(key('ok-1')))?.priority).toBe(3);
    expect((await s.store.messages.get(key('ok-2')))?.priority).toBe(1);
    expect(await s.store.messages.get(key('bad'))).toBeNull();
  });

  it('says when every message was rejected and writes nothing, wakes nothing', async () => {
    const s = await setup();
    expect(await s.add([msg('x', { from: '' }), msg('')])).toEqual({
      queued: 0,
      allRejected: true,
      rejected: [
        { id: 'x', reason: 'missing from' },
        { id: '', reason: 'missing id' },
      ],
    });
    expect(s.wakes).toEqual([]);
  });

  it('refuses more than 1,000 messages at once', async () => {
    const s = await setup();
    await expect(s.add(Array.from({ length: 1001 }, (_, i) => msg(`m${i}`)))).rejects.toBeInstanceOf(ClassicDetailError);
    expect((await s.store.messages.countByState()).queued).toBe(0);
  });

  it('deletes (de-duplicated, naming unknown ids), retries with a wake, answers 404 and 409', async () => {
    const s = await setup();
    await s.add([msg('d1'), msg('d2')]);
    expect(await s.messages.deleteMany(ADMIN, { ids: ['d1', 'd1', null, '', 'ghost'] })).toEqual({ removed: 1, not_found: ['ghost'] });
    await expect(s.messages.delete(key('d1'))).rejects.toMatchObject({ status: 404 });
    await expect(s.messages.retry(key('d2'))).rejects.toMatchObject({ status: 409, message: "message 'd2' is already queued" });
    await expect(s.messages.retry(key('nope'))).rejects.toMatchObject({ status: 404 });
    expect(await s.messages.cleanup(ADMIN, { older_than_seconds: 5 })).toBe(7);
    expect(s.cleanups).toEqual([[5, '']]);
  });

  it('shows a long body cut short, with its size and attachment sources', async () => {
    const s = await setup();
    const body = 'x'.repeat(70 * 1024);
    await s.add([msg('big', { body, attachments: [{ filename: 'a.txt', content: 'aGVsbG8=' }, { url: 'https://example.com/f.pdf' }] })]);
    const { message, timeline } = await s.messages.detail(key('big'));
    expect(message.payload.body_size).toBe(body.length);
    expect(message.payload.body).toHaveLength(64 * 1024 + 1);
    expect(message.payload.attachments).toEqual([
      { filename: 'a.txt', source: 'content', size: 6 },
      { filename: null, source: 'url', url: 'https://example.com/f.pdf' },
    ]);
    expect(timeline.map((e) => e.type)).toEqual(['queued']);
  });
});
