import { describe, expect, it } from 'vitest';
import type { MessageEvent } from '../../../src/core/messages/types.js';
import { decodeNotice, encodeNotices, MAX_PAYLOAD_BYTES, noticeEffects, RESCAN_ABOVE } from '../../../src/core/store/postgres/notify.js';

const ev = (seq: number | undefined, state: MessageEvent['state'], type = state as string): MessageEvent => ({
  seq,
  message_id: `m${seq ?? 'x'}`,
  tenant_id: '',
  account_id: 'acc',
  ts: 1_700_000_000,
  type,
  state,
});

const decodeAll = (payloads: string[]) => payloads.map((p) => decodeNotice(p)!);

/** What a commit sends to the other relays (store/postgres/notify.ts), and what a notice asks of a relay. */
describe('notices between relays (notify.ts)', () => {
  it('sends nothing for a commit that changed nothing announced', () => {
    expect(encodeNotices('a', { events: [], accounts: [], tenants: [] })).toEqual([]);
  });

  it('names timeline rows by seq, with the wakes their states call for', () => {
    const [n] = decodeAll(encodeNotices('a', { events: [ev(1, 'queued'), ev(2, 'sent')], accounts: [], tenants: [] }));
    expect(n).toEqual({ o: 'a', m: [1, 2], wd: 1, wr: 1 });
    expect(noticeEffects(n, 'b')).toEqual([
      { kind: 'load-events', seqs: [1, 2] },
      { kind: 'wake', dispatch: true, report: true },
    ]);
  });

  it('wakes nobody for attempts and leases, and reporting only for final outcomes', () => {
    const [attempt] = decodeAll(encodeNotices('a', { events: [ev(3, 'sending', 'attempt')], accounts: [], tenants: [] }));
    expect(noticeEffects(attempt, 'b')).toEqual([{ kind: 'load-events', seqs: [3] }]);
    const [failed] = decodeAll(encodeNotices('a', { events: [ev(4, 'error')], accounts: [], tenants: [] }));
    expect(noticeEffects(failed, 'b').at(-1)).toEqual({ kind: 'wake', dispatch: false, report: true });
  });

  it('carries a deleted message (no row left to load) by its ids', () => {
    const [n] = decodeAll(encodeNotices('a', { events: [ev(undefined, 'deleted')], accounts: ['acc'], tenants: ['t1'] }));
    expect(noticeEffects(n, 'b')).toEqual([
      { kind: 'accounts', ids: ['acc'] },
      { kind: 'tenants', ids: ['t1'] },
      { kind: 'events', events: [{ message_id: 'mx', tenant_id: '', account_id: 'acc', ts: 1_700_000_000, type: 'deleted', state: 'deleted' }] },
    ]);
  });

  it('ignores the relay its own notices', () => {
    const [n] = decodeAll(encodeNotices('a', { events: [ev(1, 'queued')], accounts: ['x'], tenants: [] }));
    expect(noticeEffects(n, 'a')).toEqual([]);
  });

  it('splits long lists below the payload limit, the wakes on the first notice only', () => {
    const events = Array.from({ length: 2_000 }, (_, i) => ev(10_000_000_000 + i, 'queued'));
    const accounts = Array.from({ length: 50 }, (_, i) => `account-with-a-long-identifier-${'x'.repeat(150)}-${i}`);
    const payloads = encodeNotices('origin', { events, accounts, tenants: [] });
    expect(payloads.length).toBeGreaterThan(5);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(MAX_PAYLOAD_BYTES);
    const notices = decodeAll(payloads);
    expect(notices.flatMap((n) => n.m ?? [])).toEqual(events.map((e) => e.seq));
    expect(notices.flatMap((n) => n.a ?? [])).toEqual(accounts);
    expect(notices.filter((n) => n.wd)).toHaveLength(1);
  });

  it('asks for a rescan instead of listing a commit too large to list', () => {
    const events = Array.from({ length: RESCAN_ABOVE + 1 }, (_, i) => ev(i + 1, 'deferred'));
    const payloads = encodeNotices('a', { events, accounts: [], tenants: [] });
    expect(payloads).toHaveLength(1);
    expect(noticeEffects(decodeNotice(payloads[0])!, 'b')).toEqual([{ kind: 'rescan' }]);
  });

  it('reads the notices of the database triggers: captured mail and settings', () => {
    expect(noticeEffects(decodeNotice('{"o":"a","c":[5,6]}')!, 'b')).toEqual([{ kind: 'load-captured', ids: [5, 6] }]);
    expect(noticeEffects(decodeNotice('{"o":"a","cr":[7]}')!, 'b')).toEqual([{ kind: 'captured-removed', ids: [7] }]);
    expect(noticeEffects(decodeNotice('{"o":"","s":1}')!, 'b')).toEqual([{ kind: 'settings' }]);
  });

  it('drops what is not a notice (another application on the channel)', () => {
    for (const p of [undefined, '', 'hello', '[]', '{"m":[1]}', '{"o":"a","m":["x"]}', '{"o":"a","s":2}']) expect(decodeNotice(p)).toBeNull();
  });
});
