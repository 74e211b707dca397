import { describe, expect, it } from 'vitest';
import { applyEvent, eventRowKey, eventsFromPayload, matchesFilter, mayEnterList, messageRowKey } from '../../../../src/renderer/src/views/queue/queue-events.js';
import type { MessageEvent, MessageSummary } from '../../../../src/renderer/src/api/types.js';
import { summary } from '../../../support/renderer/fake-relay.js';

const row = (patch: Record<string, unknown> = {}) => summary('m1', patch) as MessageSummary;
const ev = (type: string, state: MessageEvent['state'], detail?: Record<string, unknown>, ts = 1_700_000_100): MessageEvent => ({
  message_id: 'm1',
  tenant_id: '',
  account_id: 'acc',
  ts,
  type,
  state,
  detail,
});

describe('applyEvent', () => {
  it('follows a sandbox delivery: attempt, then sent', () => {
    let r: MessageSummary | null = row();
    r = applyEvent(r, ev('attempt', 'sending', { attempt: 1, sandbox: true }));
    expect(r).toMatchObject({ state: 'sending', attempts: 1 });
    r = applyEvent(r!, ev('sent', 'sent', { sandbox: true, captured_id: 3 }, 1_700_000_101));
    expect(r).toMatchObject({ state: 'sent', sent_ts: 1_700_000_101, sandbox: true, updated_ts: 1_700_000_101 });
  });

  it('records a deferral with its reason and time', () => {
    const r = applyEvent(row({ state: 'sending' }), ev('deferred', 'deferred', { reason: 'retry', deferred_ts: 1_700_000_400, error: '451 try later' }));
    expect(r).toMatchObject({ state: 'deferred', deferred_ts: 1_700_000_400, deferred_reason: 'retry' });
    const limited = applyEvent(row(), ev('rate_limited', 'deferred', { deferred_ts: 1_700_000_160 }));
    expect(limited).toMatchObject({ deferred_reason: 'rate_limited', deferred_ts: 1_700_000_160 });
  });

  it('records a final error and clears it when retried', () => {
    const failed = applyEvent(row({ state: 'sending' }), ev('error', 'error', { error: '550 no such user', code: 550 }));
    expect(failed).toMatchObject({ state: 'error', error: '550 no such user', error_ts: 1_700_000_100 });
    const retried = applyEvent(failed!, ev('retry', 'queued'));
    expect(retried).toMatchObject({ state: 'queued', error: null, error_ts: null, deferred_ts: null });
  });

  it('returns null for a deleted message and keeps rows immutable', () => {
    const r = row();
    expect(applyEvent(r, ev('deleted', 'deleted'))).toBeNull();
    applyEvent(r, ev('sent', 'sent'));
    expect(r.state).toBe('queued');
  });

  it('marks reported rows, keeping their outcome and error text (#20.1)', () => {
    expect(applyEvent(row({ state: 'sent' }), ev('reported', 'sent'))).toMatchObject({ state: 'sent', reported_ts: 1_700_000_100 });
    const failed = row({ state: 'error', error: '550 no such user', error_ts: 1_700_000_050 });
    expect(applyEvent(failed, ev('reported', 'error'))).toMatchObject({ state: 'error', error: '550 no such user', reported_ts: 1_700_000_100 });
  });

  it('clears the report of a retried failure: its next outcome is reported again', () => {
    const reported = row({ state: 'error', error: '550 no such user', error_ts: 1_700_000_050, reported_ts: 1_700_000_060 });
    expect(applyEvent(reported, ev('retry', 'queued'))).toMatchObject({ state: 'queued', error: null, error_ts: null, reported_ts: null });
  });
});

describe('filters', () => {
  it('tells reported outcomes from the others, for rows and for events about rows not shown', () => {
    const failed = { tenant_id: '', state: 'error' as const, account_id: null, reported_ts: null };
    expect(matchesFilter(failed, { state: 'error', reported: false })).toBe(true);
    expect(matchesFilter(failed, { state: 'error', reported: true })).toBe(false);
    expect(matchesFilter({ ...failed, reported_ts: 1 }, { state: 'error', reported: true })).toBe(true);
    expect(matchesFilter({ ...failed, reported_ts: 1 }, { state: 'error' })).toBe(true);
    expect(mayEnterList(ev('reported', 'error'), { state: 'error', reported: true })).toBe(true);
    expect(mayEnterList(ev('error', 'error'), { state: 'error', reported: true })).toBe(false);
    expect(mayEnterList(ev('error', 'error'), { state: 'error', reported: false })).toBe(true);
    expect(mayEnterList(ev('reported', 'error'), { reported: false })).toBe(false);
  });

  it('matches state and account', () => {
    expect(matchesFilter({ tenant_id: '', state: 'sent', account_id: 'a' }, { state: 'sent' })).toBe(true);
    expect(matchesFilter({ tenant_id: '', state: 'sent', account_id: 'a' }, { state: 'error' })).toBe(false);
    expect(matchesFilter({ tenant_id: '', state: 'sent', account_id: 'a' }, { account_id: 'b' })).toBe(false);
    expect(matchesFilter({ tenant_id: '', state: 'sent', account_id: 'a' }, {})).toBe(true);
  });

  it('matches the tenant: absent for all, empty for the default tenant', () => {
    const acme = { tenant_id: 'acme', state: 'sent' as const, account_id: 'a' };
    expect(matchesFilter(acme, {})).toBe(true);
    expect(matchesFilter(acme, { tenant_id: 'acme' })).toBe(true);
    expect(matchesFilter(acme, { tenant_id: '' })).toBe(false);
    expect(matchesFilter({ ...acme, tenant_id: '' }, { tenant_id: '' })).toBe(true);
    expect(mayEnterList({ ...ev('queued', 'queued'), tenant_id: 'acme' }, { tenant_id: 'beta' })).toBe(false);
    expect(mayEnterList({ ...ev('queued', 'queued'), tenant_id: 'acme' }, { tenant_id: 'acme' })).toBe(true);
  });

  it('keys rows by tenant and id: two tenants may use the same message id', () => {
    expect(messageRowKey({ tenant_id: 'a', id: 'm1' })).not.toBe(messageRowKey({ tenant_id: 'b', id: 'm1' }));
    // tenant ids carry no control characters, so the separator cannot be forged by an id
    expect(messageRowKey({ tenant_id: '', id: 'a\u0000m1' })).not.toBe(messageRowKey({ tenant_id: 'a', id: 'm1' }));
    expect(eventRowKey({ ...ev('queued', 'queued'), tenant_id: 'b' })).toBe(messageRowKey({ tenant_id: 'b', id: ev('queued', 'queued').message_id }));
  });

  it('decides whether an unknown message may enter the list', () => {
    expect(mayEnterList(ev('queued', 'queued'), {})).toBe(true);
    expect(mayEnterList(ev('queued', 'queued'), { state: 'error' })).toBe(false);
    expect(mayEnterList(ev('error', 'error'), { state: 'error', account_id: 'acc' })).toBe(true);
    expect(mayEnterList(ev('deleted', 'deleted'), {})).toBe(false);
  });
});

describe('eventsFromPayload', () => {
  it('takes the events of a frame', () => {
    const e = ev('queued', 'queued');
    expect(eventsFromPayload([e])).toEqual([e]);
  });

  // frames of any other shape never get here: the event stream drops them and resyncs (event-stream.test.ts)
  it('answers null for a coalesced summary (the list then refetches)', () => {
    expect(eventsFromPayload({ coalesced: true, count: 5000, states: { sent: 5000 } })).toBeNull();
  });
});
