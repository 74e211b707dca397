import addressparser from 'nodemailer/lib/addressparser';
import { describe, expect, it } from 'vitest';
import type { MessagePayload } from '../../../src/core/messages/types.js';
import { addressList } from '../../../src/core/messages/normalise.js';
import { classicReason, fieldError, MAX_ADDRESS_TEXT, MAX_ADDRESSES, payloadIssue } from '../../../src/core/messages/validate.js';

describe('addressList: an address header parsed, never split on commas', () => {
  it('keeps a display name with a comma, quotes, UTF-8 or a group as one entry', () => {
    expect(addressList('"Smith, Ann" <ann@example.com>, bob@example.com')).toEqual(['"Smith, Ann" <ann@example.com>', 'bob@example.com']);
    expect(addressList('Jürgen Müller <j@example.de>, b@example.com')).toEqual(['Jürgen Müller <j@example.de>', 'b@example.com']);
    expect(addressList('"Müller, Jürgen" <j@example.de>')).toEqual(['"Müller, Jürgen" <j@example.de>']);
    expect(addressList('ann@example.com (Smith, Ann), bob@example.com')).toEqual(['"Smith, Ann" <ann@example.com>', 'bob@example.com']);
    expect(addressList('"say \\"hi\\"" <hi@example.com>')).toEqual(['"say \\"hi\\"" <hi@example.com>']);
    expect(addressList('Team: "Doe, John" <john@example.com>, jane@example.com;, c@example.org')).toEqual([
      'Team: "Doe, John" <john@example.com>, jane@example.com;',
      'c@example.org',
    ]);
    expect(addressList('a@example.com,, ,b@example.com')).toEqual(['a@example.com', 'b@example.com']);
    expect(addressList('')).toEqual([]);
    expect(addressList(null)).toEqual([]);
  });

  it('writes each entry so that addressparser reads back the same mailboxes', () => {
    const header = '"Smith, Ann" <ann@example.com>, "a\\\\b" <ab@example.com>, Zoë <z@example.org>, G: x@example.com, "Y, y" <y@example.com>;';
    const entries = addressList(header);
    expect(entries.flatMap((e) => addressparser(e))).toEqual(addressparser(header));
  });

  it('keeps a list as given, and a value with CR or LF whole for the validation to refuse', () => {
    expect(addressList(['"Smith, Ann" <ann@example.com>', null, ' b@example.com '])).toEqual(['"Smith, Ann" <ann@example.com>', 'b@example.com']);
    expect(addressList('a@example.com\r\nBcc: evil@example.com')).toEqual(['a@example.com\r\nBcc: evil@example.com']);
  });
});

describe('addressList: the longest address text parsed', () => {
  it('keeps a string over MAX_ADDRESS_TEXT characters or MAX_ADDRESSES commas whole, and the validation refuses it naming the field', () => {
    const many = 'a@example.com,'.repeat(MAX_ADDRESSES);
    expect(addressList(many)).toEqual([many]);
    expect(addressList(many.slice(14))).toHaveLength(MAX_ADDRESSES - 1);
    const long = `"${'x'.repeat(MAX_ADDRESS_TEXT)}" <a@example.com>`;
    expect(addressList(long)).toEqual([long]);
    const p: MessagePayload = { id: 'm', account_id: 'acc', from: 'a@example.com', to: ['b@example.com'], cc: addressList(many), subject: 's', body: 'b', content_type: 'plain', priority: 2 };
    const issue = payloadIssue(p, { accountExists: () => true, accountRequired: true });
    expect(issue).toEqual({ path: ['cc', 0], rule: 'too_long' });
    expect(issue && classicReason(issue, p)).toBe(`invalid cc: more than ${MAX_ADDRESSES} addresses or ${MAX_ADDRESS_TEXT} characters`);
    expect(issue && fieldError(issue, p)).toEqual({ field: 'cc.0', message: `must hold at most ${MAX_ADDRESSES} addresses in ${MAX_ADDRESS_TEXT} characters` });
    const list: MessagePayload = { ...p, cc: undefined, bcc: addressList(Array.from({ length: MAX_ADDRESSES + 1 }, (_, i) => `r${i}@example.com`)) };
    // the recipient cap ([delivery] max_recipients, 1,000 by default) is lifted here to reach the list's own limit
    const uncapped = { accountExists: () => true, accountRequired: true, maxRecipients: 10 * MAX_ADDRESSES };
    expect(payloadIssue(list, uncapped)).toEqual({ path: ['bcc'], rule: 'too_long' });
    expect(payloadIssue({ ...list, bcc: list.bcc?.slice(1) }, uncapped)).toBeNull();
  });
});
