import { afterEach, describe, expect, it } from 'vitest';
import { accountWithDefaults } from '../../../src/core/store/records.js';
import { nowSec } from '../../../src/core/clock.js';
import { ClassicDetailError } from '../../../src/core/errors.js';
import type { MessageInput } from '../../../src/core/messages/payload-schema.js';
import { ValidationError } from '../../../src/core/services/errors.js';
import { MessageIntake } from '../../../src/core/services/intake.js';
import { createMessagesService } from '../../../src/core/services/messages.js';
import { createSendService } from '../../../src/core/services/send.js';
import { makeContext, type TestContext } from '../../support/relay/context.js';

let t: TestContext | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

async function setup() {
  t = await makeContext();
  const ctx = t;
  await ctx.store.accounts.upsert(accountWithDefaults({ id: 'acc', host: '127.0.0.1', port: 2525 }), nowSec(ctx.clock));
  const wakes: string[] = [];
  ctx.bus.on('dispatch.wake', () => wakes.push('dispatch'));
  const intake = new MessageIntake({ store: ctx.store, bus: ctx.bus, clock: ctx.clock });
  const cleanups: (number | null | undefined)[] = [];
  const messages = createMessagesService({
    messages: ctx.store.messages,
    intake,
    cleanup: async (s) => (cleanups.push(s), 7),
    bus: ctx.bus,
    clock: ctx.clock,
    defaultPriority: 2,
  });
  const send = createSendService({ intake, messages: ctx.store.messages, settings: ctx.settings, bus: ctx.bus });
  return { ...ctx, wakes, messages, send, cleanups };
}

const msg = (id: string, over: Partial<MessageInput> = {}): MessageInput => ({ id, account_id: 'acc', from: 'a@example.com', to: 'b@example.com', subject: `s ${id}`, body: 'b', ...over });

describe('messages service (classic intake)', () => {
  it('queues the valid messages in one go, names each rejection, and wakes dispatch once after the commit', async () => {
    const s = await setup();
    const result = await s.messages.add([msg('ok-1'), msg('bad', { account_id: 'ghost' }), msg('crlf', { subject: 'a\nb' }), msg('ok-2', { priority: 'high' })], 'low');
    expect(result).toEqual({
      queued: 2,
      allRejected: false,
      rejected: [
        { id: 'bad', reason: 'account not found' },
        { id: 'crlf', reason: 'invalid subject: contains CR or LF' },
      ],
    });
    expect(s.wakes).toEqual(['dispatch']);
    expect((await s.store.messages.get('ok-1'))?.priority).toBe(3);
    expect((await s.store.messages.get('ok-2'))?.priority).toBe(1);
    expect(await s.store.messages.get('bad')).toBeNull();
  });

  it('says when every message was rejected and writes nothing, wakes nothing', async () => {
    const s = await setup();
    expect(await s.messages.add([msg('x', { from: '' }), msg('')])).toEqual({
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
    await expect(s.messages.add(Array.from({ length: 1001 }, (_, i) => msg(`m${i}`)))).rejects.toBeInstanceOf(ClassicDetailError);
    expect((await s.store.messages.countByState()).queued).toBe(0);
  });

  it('deletes (de-duplicated, naming unknown ids), retries with a wake, answers 404 and 409', async () => {
    const s = await setup();
    await s.messages.add([msg('d1'), msg('d2')]);
    expect(await s.messages.deleteMany(['d1', 'd1', null, '', 'ghost'])).toEqual({ removed: 1, not_found: ['ghost'] });
    await expect(s.messages.delete('d1')).rejects.toMatchObject({ status: 404 });
    await expect(s.messages.retry('d2')).rejects.toMatchObject({ status: 409, message: "message 'd2' is already queued" });
    await expect(s.messages.retry('nope')).rejects.toMatchObject({ status: 404 });
    expect(await s.messages.cleanup(5)).toBe(7);
    expect(s.cleanups).toEqual([5]);
  });

  it('shows a long body cut short, with its size and attachment sources', async () => {
    const s = await setup();
    const body = 'x'.repeat(70 * 1024);
    await s.messages.add([msg('big', { body, attachments: [{ filename: 'a.txt', content: 'aGVsbG8=' }, { url: 'https://example.com/f.pdf' }] })]);
    const { message, timeline } = await s.messages.detail('big');
    expect(message.payload.body_size).toBe(body.length);
    expect(message.payload.body).toHaveLength(64 * 1024 + 1);
    expect(message.payload.attachments).toEqual([
      { filename: 'a.txt', source: 'content', size: 6 },
      { filename: null, source: 'url', url: 'https://example.com/f.pdf' },
    ]);
    expect(timeline.map((e) => e.type)).toEqual(['queued']);
  });
});

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
    expect((await s.store.messages.get('send-1'))?.payload).toMatchObject({ priority: 0, content_type: 'html', body: '<b>x</b>', body_text: 'x' });
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

describe('message intake', () => {
  it('checks and queues in one transaction, one account lookup per distinct id, only the acceptable payloads', async () => {
    const calls: string[] = [];
    const tx = {
      accounts: { get: async (id: string) => (calls.push(`get ${id}`), id === 'acc' ? { id } : null) },
      messages: {
        enqueue: async (batch: { id: string }[], _now: number, opts: object) => (calls.push(`enqueue ${batch.map((b) => b.id).join(',')} ${JSON.stringify(opts)}`), { queued: batch.length, rejected: [] }),
      },
    };
    const store = {
      transaction: async <T>(fn: (t: never) => Promise<T>) => {
        calls.push('begin');
        const r = await fn(tx as never);
        calls.push('commit');
        return r;
      },
    };
    const wakes: string[] = [];
    const intake = new MessageIntake({ store, bus: { emit: (e: string) => wakes.push(e) } as never, clock: { nowMs: () => 0 } });
    const p = (id: string, account_id?: string) => ({ id, account_id, from: 'a@x', to: ['b@x'], subject: 's', body: 'b', content_type: 'plain', priority: 2 as const });
    const { issues, result } = await intake.admit([p('1', 'acc'), p('2', 'ghost'), p('3', 'acc')], { accountRequired: true, source_captured_id: 9 });
    expect(issues).toEqual([null, { path: ['account_id'], rule: 'account_not_found' }, null]);
    expect(result.queued).toBe(2);
    expect(calls).toEqual(['begin', 'get acc', 'get ghost', 'enqueue 1,3 {"source_captured_id":9}', 'commit']);
    expect(wakes).toEqual(['dispatch.wake']);
  });
});
