import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  accountInput,
  capturedFrame,
  cleanupMessagesInput,
  describeIssues,
  fieldIssues,
  MESSAGE_STATES,
  messageEvent,
  messageInput,
  messagesFrame,
  messageState,
  messageSummary,
  parseSseFrame,
  priority,
  PRIORITY_LABELS,
  relayError,
  classicError,
  releaseBody,
  sendBody,
  settingsPatch,
  stateCounts,
  statsAnswer,
  type MessageSummary,
  type Priority,
  type SseFrame,
} from '../../../src/shared/api/index.js';
import * as coreModel from '../../../src/core/messages/types.js';

const summary = (patch: Record<string, unknown> = {}) => ({
  id: 'm1',
  tenant_id: '',
  account_id: 'acc',
  priority: 2,
  state: 'queued',
  subject: 'Subject',
  from: 'a@example.com',
  to: 'b@example.com',
  created_ts: 1_700_000_000,
  updated_ts: 1_700_000_000,
  deferred_ts: null,
  deferred_reason: null,
  sent_ts: null,
  error_ts: null,
  error: null,
  reported_ts: null,
  attempts: 0,
  retry_count: 0,
  sandbox: false,
  batch_code: null,
  ...patch,
});

const fail = (schema: z.ZodType, value: unknown): string => {
  const r = schema.safeParse(value);
  expect(r.success, `accepted ${JSON.stringify(value)}`).toBe(false);
  return describeIssues(r.error!);
};

describe('one list of states and priorities', () => {
  it('is the one the core model uses', () => {
    // the outcome only: whether it was reported is a fact of its own (reported_ts, #20.1)
    expect(MESSAGE_STATES).toEqual(['queued', 'deferred', 'sending', 'sent', 'error']);
    expect(coreModel.MESSAGE_STATES).toBe(MESSAGE_STATES);
    expect(coreModel.PRIORITY_LABELS).toBe(PRIORITY_LABELS);
    expect(coreModel.PENDING_STATES).toEqual(['queued', 'deferred', 'sending']);
    expect(coreModel.FINAL_STATES).toEqual(['sent', 'error']);
    expectTypeOf<coreModel.MessageState>().toEqualTypeOf<z.infer<typeof messageState>>();
    expectTypeOf<coreModel.MessageSummary>().toEqualTypeOf<MessageSummary>();
  });

  it('priorities are the integers 0..3, labels are a request-side convenience', () => {
    expectTypeOf<Priority>().toEqualTypeOf<0 | 1 | 2 | 3>();
    for (const p of [0, 1, 2, 3]) expect(priority.parse(p)).toBe(p);
    expect(fail(priority, 4)).toMatch(/^\(root\): /);
    fail(priority, 'high');
    fail(messageState, 'lost');
  });

  it('state counts need every state and nothing else', () => {
    const counts = Object.fromEntries(MESSAGE_STATES.map((s) => [s, 0]));
    expect(stateCounts.parse(counts)).toEqual(counts);
    expect(fail(stateCounts, { ...counts, sent: undefined })).toContain('sent');
    fail(stateCounts, { ...counts, lost: 1 });
    fail(stateCounts, { ...counts, queued: -1 });
  });
});

describe('answers are closed', () => {
  it('a summary must have every field with its type, and no other', () => {
    expect(messageSummary.parse(summary())).toEqual(summary());
    expect(fail(messageSummary, summary({ priority: 7 }))).toMatch(/^priority: /);
    expect(fail(messageSummary, summary({ deferred_reason: 'later' }))).toMatch(/^deferred_reason: /);
    expect(fail(messageSummary, summary({ sandbox: 1 }))).toMatch(/^sandbox: /);
    expect(fail(messageSummary, summary({ extra: true }))).toMatch(/Unrecognized key.*extra/);
    const { subject: _omitted, ...missing } = summary();
    expect(fail(messageSummary, missing)).toMatch(/^subject: /);
  });

  it('error bodies of both families', () => {
    relayError.parse({ error: { code: 'validation_error', message: 'x', fields: [{ field: 'limit', message: 'too big' }] } });
    fail(relayError, { error: { code: 'x' } });
    classicError.parse({ detail: 'Invalid or missing API token' });
    classicError.parse({ detail: [{ loc: ['body', 'messages', '0', 'id'], msg: 'required', type: 'value_error' }] });
    classicError.parse({ detail: { error: 'all messages rejected', rejected: [{ id: null, reason: 'missing id' }] } });
    fail(classicError, { detail: { error: 'x' } });
  });

  it('stats name the report state from a closed list', () => {
    const report = {
      enabled: false,
      paused: false,
      url: null,
      state: 'disabled',
      syncing: false,
      last: null,
      last_success_ts: null,
      failing_since: null,
      consecutive_failures: 0,
      last_error: null,
      next_attempt_ts: null,
      last_answer: null,
      retention: null,
    };
    const body = {
      counts: Object.fromEntries(MESSAGE_STATES.map((s) => [s, 0])),
      captured: { total: 0, unread: 0 },
      accounts: [{ tenant_id: '', account_id: null, counts: { queued: 2 } }],
      delivery_mode: 'sandbox',
      paused: false,
      in_flight: 0,
      report,
    };
    statsAnswer.parse(body);
    expect(fail(statsAnswer, { ...body, report: { ...report, state: 'sleeping' } })).toMatch(/^report\.state: /);
    expect(fail(statsAnswer, { ...body, accounts: [{ tenant_id: '', account_id: null, counts: { lost: 2 } }] })).toMatch(/^accounts\.0\.counts/);
  });
});

describe('event frames', () => {
  const ev = { seq: 1, message_id: 'm1', tenant_id: '', account_id: null, ts: 1, type: 'queued', state: 'queued' };

  it('messages: timeline rows or a coalesced count', () => {
    messagesFrame.parse([ev, { ...ev, seq: undefined, type: 'deleted', state: 'deleted' }]);
    messagesFrame.parse({ coalesced: true, count: 600, states: { queued: 600 } });
    fail(messagesFrame, [{ foo: 1 }]);
    fail(messagesFrame, ev);
    fail(messagesFrame, { coalesced: true, count: 1, states: { lost: 1 } });
    fail(messageEvent, { ...ev, state: 'lost' });
  });

  it('captured: a new mail, a count, deletions, a clear-all', () => {
    const mail = { id: 1, received_ts: 1, from: 'a@x', to: ['b@x'], subject: 's', size: 10, attachments: 0, mailbox: null, relay_message_id: null };
    for (const f of [mail, { coalesced: true, count: 30 }, { type: 'deleted', ids: [1, 2] }, { type: 'cleared' }, { coalesced: true, removed: 900 }]) {
      capturedFrame.parse(f);
    }
    fail(capturedFrame, { type: 'deleted', ids: ['1'] });
    fail(capturedFrame, { ...mail, to: 'b@x' });
  });

  it('parseSseFrame reads JSON and checks it against the event, saying what is wrong', () => {
    const ok = parseSseFrame('messages', JSON.stringify([ev]));
    expect(ok).toEqual({ ok: true, frame: [ev] });
    if (ok.ok) expectTypeOf(ok.frame).toEqualTypeOf<SseFrame<'messages'>>();
    expect(parseSseFrame('stats', 'not json')).toEqual({ ok: false, error: 'stats frame is not JSON' });
    const bad = parseSseFrame('messages', JSON.stringify([{ ...ev, ts: 'now' }]));
    expect(bad).toEqual({ ok: false, error: expect.stringContaining('messages frame: 0.ts: ') });
  });

  it('a refused union names what was expected, a refused record key the rule it broke', () => {
    const message = { id: 'a', from: 'f', to: 'x', subject: 's', body: 'b' };
    expect(fail(messageInput, { ...message, priority: 'soon' })).toBe("priority: Input should be 'immediate', 'high', 'medium', 'low' or an integer");
    expect(fail(messageInput, { ...message, to: 5 })).toBe('to: Invalid input: expected string or array, received number');
    expect(fail(releaseBody, { account_id: 'acc', priority: 'soon' })).toMatch(/^priority: Invalid option: expected one of "immediate"\|"high"\|"medium"\|"low"$/);
    expect(fail(releaseBody, { account_id: 'acc', priority: 4 })).toMatch(/^priority: Too big: expected number to be <=3$/);
    const headers = sendBody.safeParse({ from: 'a@x.org', to: 'b@x.org', subject: 's', body_text: 'x', headers: { 'Bad Name': 'a' } });
    expect(fieldIssues(headers.error!)).toEqual([{ field: 'headers.Bad Name', message: 'must be a header name' }]);
    const noBody = cleanupMessagesInput.safeParse({ older_than_seconds: 'soon' });
    expect(fieldIssues(noBody.error!)).toEqual([{ field: 'older_than_seconds', message: 'Input should be a valid integer' }]);
  });

  it('describeIssues names the closest branch of a union and counts the rest', () => {
    const r = messagesFrame.safeParse([{ ...ev, ts: 'now', type: 1, state: 'x', account_id: 5 }]);
    expect(describeIssues(r.error!)).toMatch(/^0\.account_id: .*; 0\.ts: .*; 0\.type: .* \(\+1 more\)$/);
  });
});

describe('requests', () => {
  it('classic messages: priority labels and integers in strings are coerced, the rest is named', () => {
    const m = messageInput.parse({ id: 'a', from: 'f', to: 'x@y', subject: 's', body: 'b', priority: 'HIGH', deferred_ts: '17' });
    expect(m).toMatchObject({ priority: 'high', deferred_ts: 17 });
    expect(fail(messageInput, { id: 'a', from: 'f', to: 'x', subject: 's', body: 'b', priority: 'soon' })).toMatch(/^priority: /);
    expect(fail(messageInput, { id: 'a', from: 'f', to: 5, subject: 's', body: 'b' })).toMatch(/^to: /);
  });

  it('classic accounts: port as a string, empty id and spaces in the host refused', () => {
    expect(accountInput.parse({ id: 'a', host: 'h', port: '2525' }).port).toBe(2525);
    const msg = fail(accountInput, { id: '', host: 'a b', port: 70000 });
    expect(msg).toContain('id: must not be empty');
    expect(msg).toContain('host: must be a host name without spaces');
    expect(msg).toMatch(/port: /);
    expect(fail(accountInput, { id: 'a', host: 'h', port: 25, limit_behavior: 'drop' })).toContain("Input should be 'defer' or 'error'");
  });

  it('cleanup-messages accepts no body at all', () => {
    expect(cleanupMessagesInput.parse(null)).toEqual({});
    expect(cleanupMessagesInput.parse({ older_than_seconds: '60' })).toEqual({ older_than_seconds: 60 });
    fail(cleanupMessagesInput, { older_than_seconds: 'soon' });
  });

  it('send: one recipient as a string, a body required, header injection refused', () => {
    expect(sendBody.parse({ from: 'App <a@x.org>', to: 'b@x.org', subject: 's', body_html: '<p>' }).to).toEqual(['b@x.org']);
    expect(fail(sendBody, { from: 'a@x.org', to: 'b@x.org', subject: 's' })).toBe('body_text: body_text or body_html is required');
    expect(fail(sendBody, { from: 'a@x.org', to: 'b@x.org', subject: 's\r\nBcc: c@x.org', body_text: 'x' })).toBe('subject: must not contain CR or LF');
    expect(fail(sendBody, { from: 'a@x.org', to: [], subject: 's', body_text: 'x' })).toBe('to: needs at least one recipient');
  });

  it('send attachments: only the source delivery uses is checked, as the one validation does', () => {
    const base = { from: 'a@x.org', to: 'b@x.org', subject: 's', body_text: 'x' };
    const att = (a: Record<string, unknown>) => ({ ...base, attachments: [a] });
    sendBody.parse(att({ content: 'aGVsbG8=' }));
    sendBody.parse(att({ url: 'https://x.org/f', content: '!!' }));
    sendBody.parse(att({ s3: { bucket: 'b', key: 'k' }, url: 'ftp://x' }));
    expect(fail(sendBody, att({ content: '!!' }))).toBe('attachments.0.content: must be base64');
    expect(fail(sendBody, att({ url: 'ftp://x', content: 'aGVsbG8=' }))).toBe('attachments.0.url: must be an http(s) URL');
    expect(fail(sendBody, att({ filename: 'a.txt' }))).toBe('attachments.0: needs content, url or s3');
  });

  it('settings patch: known keys only, each checked', () => {
    expect(settingsPatch.parse({ paused: true })).toEqual({ paused: true });
    expect(fail(settingsPatch, { client_sync_url: 'ftp://x' })).toBe('client_sync_url: must be an http(s) URL');
    expect(fail(settingsPatch, { report_interval_seconds: 1 })).toMatch(/^report_interval_seconds: /);
    expect(fail(settingsPatch, { delivery_mode: 'sandbox', colour: 'red' })).toMatch(/Unrecognized key.*colour/);
  });

  it('release: an account, plain addresses, a priority by number or label', () => {
    releaseBody.parse({ account_id: 'acc', to: ['a@b.c'], priority: 'low' });
    releaseBody.parse({ account_id: 'acc', priority: 0 });
    expect(fail(releaseBody, { account_id: 'acc', to: ['Name <a@b.c>'] })).toBe('to.0: must be a plain address (local@domain)');
    expect(fail(releaseBody, { account_id: 'acc', priority: 4 })).toMatch(/^priority: /);
    expect(fail(releaseBody, {})).toMatch(/^account_id: /);
  });
});
