import { describe, expect, it } from 'vitest';
import { parseCapturedSearch, parseSearch } from '../../../src/core/sink/search-query.js';

describe('search query parsing', () => {
  it('splits words, phrases and operators', () => {
    expect(parseCapturedSearch('invoice "next week" from:bob@x.test to:"Ann Lee" subject:hi body:total')).toEqual({
      terms: [
        { field: 'any', text: 'invoice' },
        { field: 'any', text: 'next week' },
        { field: 'sender', text: 'bob@x.test' },
        { field: 'recipients', text: 'Ann Lee' },
        { field: 'subject', text: 'hi' },
        { field: 'body', text: 'total' },
      ],
    });
    expect(parseCapturedSearch('mailbox:proj-a is:unread has:attachment')).toEqual({
      terms: [],
      mailbox: 'proj-a',
      read: false,
      has_attachments: true,
    });
    expect(parseCapturedSearch('tag:x is:read http://example.com/a')).toEqual({
      terms: [{ field: 'any', text: 'http://example.com/a' }],
      tags: ['x'],
      read: true,
    });
    expect(parseCapturedSearch('   ')).toEqual({ terms: [] });
  });
});

describe('tag: and tenant: (#18.4)', () => {
  it('tag: means tags (all required, - excludes), mailbox: stays the SMTP username, tenant: the queue tenant', () => {
    expect(parseCapturedSearch('tag:orders tag:"big deal" -tag:spam mailbox:shop')).toEqual({
      terms: [],
      tags: ['orders', 'big deal'],
      not_tags: ['spam'],
      mailbox: 'shop',
    });
    expect(parseCapturedSearch('tenant:acme -tenant:"beta co"')).toEqual({ terms: [], tenant: 'acme', not_tenants: ['beta co'] });
    expect(parseSearch('tenant:acme').warnings).toEqual([]);
  });
});

describe('Mailpit search operators', () => {
  const day = (iso: string) => Date.parse(iso) / 1000;

  it('negates any term with - or !, as Mailpit does', () => {
    expect(parseSearch('-invoice !"next week" -from:bob -subject:"a b"').search.terms).toEqual([
      { field: 'any', text: 'invoice', negate: true },
      { field: 'any', text: 'next week', negate: true },
      { field: 'sender', text: 'bob', negate: true },
      { field: 'subject', text: 'a b', negate: true },
    ]);
    expect(parseSearch('-is:read -has:attachment -mailbox:team').search).toEqual({ terms: [], read: false, has_attachments: false, not_mailboxes: ['team'] });
    // a lone dash is no negation of nothing
    expect(parseSearch('a - b').search.terms.map((t) => t.text)).toEqual(['a', '-', 'b']);
  });

  it('reads cc:, bcc:, message-id: and filename: as substring filters, quoted or not', () => {
    expect(parseSearch('cc:ann bcc:"b@x.test" Message-ID:<abc@x> -filename:"Q3 report.pdf"').search).toEqual({
      terms: [],
      contains: [
        { column: 'cc', text: 'ann' },
        { column: 'bcc', text: 'b@x.test' },
        { column: 'message_id', text: '<abc@x>' },
        { column: 'filename', text: 'Q3 report.pdf', negate: true },
      ],
    });
  });

  it('reads before: and after: as received-time bounds (inclusive; negated, the other bound)', () => {
    expect(parseSearch('after:2026-05-01 before:2026-05-31').search).toEqual({ terms: [], received_after: day('2026-05-01T00:00:00Z'), received_before: day('2026-05-31T00:00:00Z') });
    expect(parseSearch('-before:2026-05-01').search).toEqual({ terms: [], received_after: day('2026-05-01T00:00:00Z') });
    expect(parseSearch('-after:2026/05/01').search).toEqual({ terms: [], received_before: day('2026-05-01T00:00:00Z') });
    expect(parseSearch('after:"2026-05-01 14:30" before:2026-05-02T10:00+02:00').search).toEqual({
      terms: [],
      received_after: day('2026-05-01T14:30:00Z'),
      received_before: day('2026-05-02T08:00:00Z'),
    });
    expect(parseSearch('after:"1 May 2026"').search.received_after).toBe(day('2026-05-01T00:00:00Z'));
    // Mailpit's tz: a date without a zone is in the reader's zone (summer and winter time), a zoned one is not moved
    expect(parseSearch('after:2026-05-01', { timeZone: 'Europe/Rome' }).search.received_after).toBe(day('2026-04-30T22:00:00Z'));
    expect(parseSearch('after:"2026-01-15 08:30"', { timeZone: 'America/New_York' }).search.received_after).toBe(day('2026-01-15T13:30:00Z'));
    expect(parseSearch('after:2026-05-01T10:00Z', { timeZone: 'Europe/Rome' }).search.received_after).toBe(day('2026-05-01T10:00:00Z'));
    expect(parseSearch('after:2026-05-01', { timeZone: 'Not/AZone' }).search.received_after).toBe(day('2026-05-01T00:00:00Z'));
    // two bounds of a kind: the narrower wins
    expect(parseSearch('after:2026-01-01 after:2026-03-01').search.received_after).toBe(day('2026-03-01T00:00:00Z'));
  });

  it('reads larger: and smaller: in bytes, KiB and MiB (negated, the other bound)', () => {
    expect(parseSearch('larger:500 smaller:1.5mb').search).toEqual({ terms: [], larger_than: 500, smaller_than: 1572864 });
    expect(parseSearch('larger:20KB').search.larger_than).toBe(20480);
    expect(parseSearch('-larger:2k').search).toEqual({ terms: [], smaller_than: 2048 });
    expect(parseSearch('-smaller:3m').search).toEqual({ terms: [], larger_than: 3 * 1024 * 1024 });
  });

  it('warns about bad dates and sizes and ignores them, never throwing', () => {
    for (const bad of ['before:yesterday', 'after:2026-02-30', 'before:2026-13-01', 'after:"2026-05-01 25:00"', 'before:']) {
      const { search, warnings } = parseSearch(bad);
      expect(search.received_before ?? search.received_after, bad).toBeUndefined();
      if (bad !== 'before:') expect(warnings, bad).toEqual([{ operator: bad.slice(0, bad.indexOf(':') + 1), message: expect.stringContaining('is not a date') }]);
    }
    for (const bad of ['larger:huge', 'smaller:5gb', 'larger:-5', 'smaller:1.2.3']) {
      const { search, warnings } = parseSearch(bad);
      expect(search).toEqual({ terms: [] });
      expect(warnings[0].message, bad).toContain('is not a size');
    }
  });

  it('searches an unknown operator as text and reports it; a URL is text without a warning', () => {
    expect(parseSearch('subjet:hello')).toEqual({
      search: { terms: [{ field: 'any', text: 'subjet:hello' }] },
      warnings: [{ operator: 'subjet:', message: expect.stringContaining('unknown operator') }],
    });
    expect(parseSearch('-foo:bar').search.terms).toEqual([{ field: 'any', text: 'foo:bar', negate: true }]);
    expect(parseSearch('is:starred has:inline').warnings.map((w) => w.operator)).toEqual(['is:', 'has:']);
    expect(parseSearch('reply-to:x').warnings[0].message).toContain('not supported');
    expect(parseSearch('https://example.com/x')).toEqual({ search: { terms: [{ field: 'any', text: 'https://example.com/x' }] }, warnings: [] });
  });
});
