import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../../../src/renderer/src/views/message/timeline-format.js';
import type { MessageEvent } from '../../../../src/renderer/src/api/types.js';

const ev = (type: string, state: MessageEvent['state'], detail?: Record<string, unknown>): MessageEvent => ({
  seq: 1,
  message_id: 'm',
  tenant_id: '',
  account_id: 'acc',
  ts: 1_700_000_000,
  type,
  state,
  detail,
});
const line = (e: ReturnType<typeof describeEvent>, label: string) => e.lines.find((l) => l.label === label)?.value;

describe('describeEvent', () => {
  it('describes queueing with priority and schedule', () => {
    const e = describeEvent(ev('queued', 'deferred', { priority: 1, deferred_ts: 1_700_003_600, reason: 'scheduled' }));
    expect(e.title).toBe('Queued');
    expect(line(e, 'priority')).toBe('high');
    expect(line(e, 'scheduled for')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('describes an attempt with the SMTP answer, without repeating the code', () => {
    const e = describeEvent(ev('attempt', 'sending', { attempt: 2, account: 'primary' }));
    expect(e.title).toBe('Delivery attempt #2');
    expect(line(e, 'account')).toBe('primary');
    const sent = describeEvent(ev('sent', 'sent', { response: '250 2.0.0 Ok: queued as ABC', account: 'primary', smtp_message_id: '<x@y>' }));
    expect(sent).toMatchObject({ title: 'Sent', tone: 'ok' });
    expect(line(sent, 'SMTP')).toBe('250 2.0.0 Ok: queued as ABC');
    expect(line(sent, 'Message-ID')).toBe('<x@y>');
  });

  it('says why a leased message went back to the queue', () => {
    expect(describeEvent(ev('lease_expired', 'queued')).title).toBe('Send lease expired, returned to the queue');
    expect(describeEvent(ev('lease_expired', 'queued', { reason: 'account_backoff' })).title).toMatch(/unsent: the account is backing off/);
    expect(describeEvent(ev('lease_expired', 'queued', { reason: 'shutdown' })).title).toMatch(/relay was stopping/);
  });

  it('describes a sandbox delivery', () => {
    const e = describeEvent(ev('sent', 'sent', { sandbox: true, captured_id: 12, response: '250 Ok: captured as 12' }));
    expect(e.title).toBe('Sent to the sandbox');
    expect(line(e, 'captured as')).toBe('#12');
    expect(describeEvent(ev('attempt', 'sending', { attempt: 1, sandbox: true })).title).toBe('Delivery attempt #1 (sandbox)');
  });

  it('explains a deferral: reason, until, error and code', () => {
    const e = describeEvent(ev('deferred', 'deferred', { reason: 'retry', deferred_ts: 1_700_000_060, error: 'greylisted', code: 451, retry_count: 1 }));
    expect(e.tone).toBe('warn');
    expect(line(e, 'reason')).toBe('temporary failure, will retry');
    expect(line(e, 'until')).toBeDefined();
    expect(line(e, 'SMTP')).toBe('451');
    expect(line(e, 'error')).toBe('greylisted');
    expect(line(e, 'retry')).toBe('#1');
    const limited = describeEvent(ev('rate_limited', 'deferred', { reason: 'rate_limited', deferred_ts: 1_700_000_060, account: 'a', window: 'minute', limit: 10 }));
    expect(limited.title).toBe('Rate limited');
    expect(line(limited, 'limit')).toBe('10 per minute');
  });

  it('describes a final failure with the rejected recipients', () => {
    const e = describeEvent(ev('error', 'error', { error: 'all recipients rejected', recipients: [
      { address: 'x@y', accepted: false, code: 550, response: 'no such user' },
      { address: 'z@y', accepted: false, code: 550, response: '550 5.1.1 unknown' },
    ] }));
    expect(e).toMatchObject({ title: 'Failed', tone: 'error' });
    expect(line(e, 'recipients')).toBe('x@y (550 no such user), z@y (550 5.1.1 unknown)');
  });

  it('lists unknown detail keys as they are, and humanises unknown types', () => {
    const e = describeEvent(ev('something_new', 'queued', { custom_field: 'abc', nested: { a: 1 } }));
    expect(e.title).toBe('Something new');
    expect(line(e, 'custom field')).toBe('abc');
    expect(line(e, 'nested')).toBe('{"a":1}');
  });
});
