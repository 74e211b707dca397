import { describe, expect, it } from 'vitest';
import { capturedChange, matchesSearch } from '../../../../src/renderer/src/views/captured/captured-events.js';

const mail = { id: 4, received_ts: 1_700_000_000, from: 'App <app@example.com>', to: ['user@example.com'], subject: 'Invoice 12', size: 900, attachments: 1, mailbox: 'billing', relay_message_id: null };

describe('capturedChange', () => {
  it('a new mail is added unread', () => {
    expect(capturedChange(mail)).toEqual({ kind: 'added', item: { ...mail, read: false } });
  });

  it('deletions and a clear-all', () => {
    expect(capturedChange({ type: 'deleted', ids: [1, 2] })).toEqual({ kind: 'deleted', ids: [1, 2] });
    expect(capturedChange({ type: 'cleared' })).toEqual({ kind: 'cleared' });
  });

  it('a burst announced as a count, added or removed, makes the list refetch', () => {
    expect(capturedChange({ coalesced: true, count: 40 })).toEqual({ kind: 'unknown' });
    expect(capturedChange({ coalesced: true, removed: 900 })).toEqual({ kind: 'unknown' });
  });
});

describe('matchesSearch', () => {
  it('looks at subject, sender, recipients and mailbox, ignoring case', () => {
    const item = { ...mail, read: false };
    for (const q of ['', 'invoice', 'APP@', 'user@example', 'billing']) expect(matchesSearch(item, q), q).toBe(true);
    expect(matchesSearch(item, 'refund')).toBe(false);
  });
});
