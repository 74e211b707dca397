import { describe, expect, it } from 'vitest';
import { enqueueKey, planEnqueue, type Existing } from '../../../../src/core/store/postgres/enqueue-plan.js';
import { NOW, payload } from '../../../support/store/fixtures.js';

const stored = (entries: [string, Existing][]) => new Map(entries.map(([id, e]) => [enqueueKey('', id), e]));

describe('planEnqueue (PostgreSQL set-based enqueue)', () => {
  it('collapses an id accepted twice into one write of its last payload, kept an insert at its first position', () => {
    const plan = planEnqueue([payload('a', { subject: 'one' }), payload('b'), payload('a', { subject: 'two', deferred_ts: NOW + 5 })], NOW, new Map(), null);
    expect(plan.inserts.map((r) => `${r.id}:${r.subject}:${r.state}:${r.deferred_ts}`)).toEqual([`a:two:deferred:${NOW + 5}`, 'b:subject b:queued:null']);
    expect(plan.replaces).toEqual([]);
    expect(plan.events.map((e) => `${e.message_id}:${e.type}:${e.state}`)).toEqual(['a:queued:queued', 'b:queued:queued', 'a:replaced:deferred']);
    expect(plan.result).toEqual({ queued: 3, rejected: [] });
  });

  it('replaces stored undelivered rows and refuses delivered or sending ones, in order, leaving their rows unwritten', () => {
    const known = stored([
      ['q', { state: 'queued', sent_ts: null }],
      ['s', { state: 'sent', sent_ts: NOW }],
      ['w', { state: 'sending', sent_ts: null }],
    ]);
    const plan = planEnqueue([payload('w'), payload('q'), payload('s'), payload('q', { priority: 1 })], NOW, known, 7);
    expect(plan.inserts).toEqual([]);
    expect(plan.replaces.map((r) => `${r.id}:${r.priority}`)).toEqual(['q:1']);
    expect(plan.result).toEqual({ queued: 2, rejected: [{ id: 'w', reason: 'already sending' }, { id: 's', reason: 'already sent' }] });
    expect(plan.events.map((e) => e.detail)).toEqual([{ priority: 2, source_captured_id: 7 }, { priority: 1, source_captured_id: 7 }]);
    expect(known.get(enqueueKey('', 'q'))).toEqual({ state: 'queued', sent_ts: null });
  });

  it('keeps the same id of two tenants apart', () => {
    const plan = planEnqueue([payload('a'), payload('a', { tenant_id: 't' })], NOW, stored([['a', { state: 'error', sent_ts: null }]]), null);
    expect(plan.replaces.map((r) => r.tenant_id)).toEqual(['']);
    expect(plan.inserts.map((r) => r.tenant_id)).toEqual(['t']);
  });
});
