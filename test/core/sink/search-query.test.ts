import { describe, expect, it } from 'vitest';
import { parseCapturedSearch } from '../../../src/core/sink/search-query.js';

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
      mailbox: 'x',
      read: true,
    });
    expect(parseCapturedSearch('   ')).toEqual({ terms: [] });
  });
});
