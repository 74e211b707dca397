import { describe, expect, it } from 'vitest';
import { toPayload } from '../../../src/core/messages/normalise.js';
import { sendPayload } from '../../../src/core/messages/send-payload.js';
import type { MessagePayload } from '../../../src/core/messages/types.js';
import { classicReason, fieldError, hasCrLf, payloadIssue, type PayloadRules } from '../../../src/core/messages/validate.js';

const rules: PayloadRules = { accountExists: (_tenant, id) => id === 'acc', accountRequired: true };

function payload(over: Partial<MessagePayload> = {}): MessagePayload {
  return { id: 'm1', account_id: 'acc', from: 'a@example.com', to: ['b@example.com'], subject: 's', body: 'b', content_type: 'plain', priority: 2, ...over };
}

const issueOf = (over: Partial<MessagePayload>, r: PayloadRules = rules) => payloadIssue(payload(over), r);

describe('the one validation of message payloads', () => {
  it('accepts a plain message', () => {
    expect(issueOf({})).toBeNull();
    expect(issueOf({ account_id: undefined }, { ...rules, accountRequired: false })).toBeNull();
  });

  it("keeps genro-mail-proxy's order: id, from, to, account, then header safety", () => {
    expect(issueOf({ id: '', from: '', subject: 'x\r\ny' })).toEqual({ path: ['id'], rule: 'missing' });
    expect(issueOf({ from: '', to: [] })).toEqual({ path: ['from'], rule: 'missing' });
    expect(issueOf({ to: [], account_id: 'ghost' })).toEqual({ path: ['to'], rule: 'missing' });
    expect(issueOf({ account_id: 'ghost', subject: 'x\ny' })).toEqual({ path: ['account_id'], rule: 'account_not_found' });
    expect(issueOf({ account_id: undefined })).toEqual({ path: ['account_id'], rule: 'account_required' });
    expect(issueOf({ subject: 'x\ny', headers: { 'Bad Name': 'v' } })).toEqual({ path: ['subject'], rule: 'crlf' });
  });

  it('refuses CR or LF in every field that ends up in a header', () => {
    for (const field of ['from', 'subject', 'reply_to', 'return_path', 'message_id'] as const) {
      expect(issueOf({ [field]: 'x\r\nBcc: victim@example.com' }), field).toEqual({ path: [field], rule: 'crlf' });
    }
    expect(issueOf({ to: ['ok@example.com', 'b@example.com\nBcc: x@y'] })).toEqual({ path: ['to', 1], rule: 'crlf' });
    expect(issueOf({ cc: ['c\r@example.com'] })).toEqual({ path: ['cc', 0], rule: 'crlf' });
    expect(issueOf({ bcc: ['d\n@example.com'] })).toEqual({ path: ['bcc', 0], rule: 'crlf' });
    expect(issueOf({ headers: { 'X-Tag': 'a\nb' } })).toEqual({ path: ['headers', 'X-Tag'], rule: 'crlf' });
    expect(issueOf({ headers: { 'Bad Name': 'a' } })).toEqual({ path: ['headers', 'Bad Name'], rule: 'header_name' });
    expect(issueOf({ headers: { 'X:Colon': 'a' } })).toEqual({ path: ['headers', 'X:Colon'], rule: 'header_name' });
    expect(issueOf({ body: 'line\r\nbreaks are fine in a body' })).toBeNull();
    expect(hasCrLf('a\rb')).toBe(true);
    expect(hasCrLf('ab')).toBe(false);
  });

  it('checks attachments: a source, the source delivery uses, and header-bound names', () => {
    expect(issueOf({ attachments: [{ filename: 'a.txt' }] })).toEqual({ path: ['attachments', 0], rule: 'attachment_source' });
    expect(issueOf({ attachments: [{ content: '!!notbase64!!' }] })).toEqual({ path: ['attachments', 0, 'content'], rule: 'base64' });
    expect(issueOf({ attachments: [{ url: 'ftp://x/y' }] })).toEqual({ path: ['attachments', 0, 'url'], rule: 'url' });
    // s3 wins over url, url over content: only the source used is checked
    expect(issueOf({ attachments: [{ url: 'ftp://x/y', s3: { bucket: 'b', key: 'k' } }] })).toBeNull();
    expect(issueOf({ attachments: [{ content: '%%%', url: 'https://x/y' }] })).toBeNull();
    expect(issueOf({ attachments: [{ content: 'aGk=', filename: 'a\r\n.txt' }] })).toEqual({ path: ['attachments', 0, 'filename'], rule: 'crlf' });
    expect(issueOf({ attachments: [{ content: 'aGk=', content_type: 'text/plain\r\nX: y' }] })).toEqual({ path: ['attachments', 0, 'content_type'], rule: 'crlf' });
    expect(issueOf({ attachments: [{ content: 'aGk=', cid: 'x\ny' }] })).toEqual({ path: ['attachments', 0, 'cid'], rule: 'crlf' });
    expect(issueOf({ attachments: [{ content: 'aGk=\n' }, { url: 'HTTPS://example.com/f' }] })).toBeNull();
  });

  it('words an issue as genro-mail-proxy does for classic rejections', () => {
    const reason = (over: Partial<MessagePayload>) => classicReason(issueOf(over)!, payload(over));
    expect(reason({ id: '' })).toBe('missing id');
    expect(reason({ from: '' })).toBe('missing from');
    expect(reason({ to: [] })).toBe('missing to');
    expect(reason({ account_id: 'ghost' })).toBe('account not found');
    expect(reason({ account_id: undefined })).toBe('missing account configuration');
    expect(reason({ subject: 'a\r\nBcc: v@example.com' })).toBe('invalid subject: contains CR or LF');
    expect(reason({ to: ['a@x', 'b\n@x'] })).toBe('invalid to: contains CR or LF');
    expect(reason({ headers: { 'X-Tag': 'a\nb' } })).toBe('invalid header X-Tag: contains CR or LF');
    expect(reason({ headers: { 'Bad Name': 'a' } })).toBe('invalid header name: "Bad Name"');
    expect(reason({ attachments: [{ filename: 'a.txt' }] })).toBe('invalid attachment 0 (a.txt): needs content, url or s3');
    expect(reason({ attachments: [{ content: '%%%' }] })).toBe('invalid attachment 0: content is not base64');
    expect(reason({ attachments: [{ url: 'file:///etc/passwd' }] })).toBe('invalid attachment 0: url must be http or https');
    expect(reason({ attachments: [{ content: 'aGk=', filename: 'x\ny' }] })).toBe('invalid attachment 0 (x\ny): filename contains CR or LF');
  });

  it('words an issue as a field error for the relay API', () => {
    const error = (over: Partial<MessagePayload>, r: PayloadRules = rules) => fieldError(payloadIssue(payload(over), r)!, payload(over));
    expect(error({ account_id: 'nope' })).toEqual({ field: 'account_id', message: "account 'nope' not found" });
    expect(error({ account_id: undefined })).toEqual({ field: 'account_id', message: 'required in real delivery mode' });
    expect(error({ headers: { 'Bad Name': 'a' } })).toEqual({ field: 'headers.Bad Name', message: 'must be a header name' });
    expect(error({ attachments: [{ content: '!!' }] })).toEqual({ field: 'attachments.0.content', message: 'must be base64' });
    expect(error({ attachments: [{}] })).toEqual({ field: 'attachments.0', message: 'needs content, url or s3' });
  });

  it('sees the same problem whichever entry point built the payload', () => {
    const classic = toPayload({ id: 'c1', account_id: 'acc', from: 'a@example.com', to: 'b@example.com', subject: 'x\ny', body: 'b' }, 2);
    const send = sendPayload({ from: 'a@example.com', to: ['b@example.com'], subject: 'x\ny', body_text: 'b', account_id: 'acc' }, 's1');
    expect(payloadIssue(classic, rules)).toEqual({ path: ['subject'], rule: 'crlf' });
    expect(payloadIssue(send, rules)).toEqual({ path: ['subject'], rule: 'crlf' });
  });
});

describe('the recipient cap (#17.6)', () => {
  const many = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com`);

  it('counts to, cc and bcc together against max_recipients (default 1,000)', () => {
    expect(issueOf({ to: many(1000) })).toBeNull();
    expect(issueOf({ to: many(998), cc: many(2, 'c'), bcc: many(1, 'b') })).toEqual({ path: ['to'], rule: 'too_many_recipients' });
    expect(issueOf({ to: many(3) }, { ...rules, maxRecipients: 2 })).toEqual({ path: ['to'], rule: 'too_many_recipients' });
    expect(issueOf({ to: many(2) }, { ...rules, maxRecipients: 2 })).toBeNull();
  });

  it('is a rejection reason on add-messages and a field error naming `to` on /api/send', () => {
    const over = { to: many(2), cc: many(1, 'c') };
    const r = { ...rules, maxRecipients: 2 };
    const issue = payloadIssue(payload(over), r)!;
    expect(classicReason(issue, payload(over))).toBe('too many recipients: 3 (to, cc and bcc together; see [delivery] max_recipients)');
    expect(fieldError(issue, payload(over))).toEqual({ field: 'to', message: 'too many recipients (to, cc and bcc together; see [delivery] max_recipients): 3' });
  });
});
