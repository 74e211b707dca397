import { describe, expect, it } from 'vitest';
import { AccountBook } from '../../../src/core/delivery/account-book.js';
import type { Account } from '../../../src/core/store/records.js';
import { account } from '../../support/delivery/records.js';

function portOf(...lists: Account[][]) {
  let calls = 0;
  return { list: async () => lists[Math.min(calls++, lists.length - 1)], calls: () => calls };
}

describe('account book', () => {
  it('starts stale; a reload fills the snapshot that decisions read synchronously', async () => {
    const book = new AccountBook();
    expect(book.isStale()).toBe(true);
    await book.reload(portOf([account('a'), account('b')]));
    expect(book.isStale()).toBe(false);
    expect(book.list().map((a) => a.id)).toEqual(['a', 'b']);
    expect(book.get('', 'b')?.id).toBe('b');
    expect(book.get('', 'ghost')).toBeNull();
  });

  it('a change announced while the snapshot loads leaves it stale for the next claim', async () => {
    const book = new AccountBook();
    const port = portOf([account('a')], [account('a'), account('b')]);
    const loading = book.reload(port);
    book.markStale();
    await loading;
    expect(book.isStale()).toBe(true);
    await book.reload(port);
    expect(book.list().map((a) => a.id)).toEqual(['a', 'b']);
  });

  it('a failed reload stays stale', async () => {
    const book = new AccountBook();
    await expect(book.reload({ list: () => Promise.reject(new Error('disk')) })).rejects.toThrow('disk');
    expect(book.isStale()).toBe(true);
  });

  it('backoffs grow with failures in a row, are not restarted while running, and end on a success', () => {
    const book = new AccountBook();
    const delay = (n: number) => [60, 300, 900][n];
    expect(book.backOff('a', 'refused', 1000, delay)).toEqual({ until: 1060, started: true });
    expect(book.backOff('a', 'refused again', 1030, delay)).toEqual({ until: 1060, started: false });
    expect(book.backoffUntil('a', 1059)).toBe(1060);
    expect(book.backoffUntil('a', 1060)).toBeNull();
    expect(book.backOff('a', 'still refused', 1061, delay)).toEqual({ until: 1361, started: true });
    expect(book.backoffError('a')).toBe('still refused');
    expect(book.backoffEnds(1100)).toEqual([1361]);
    book.recovered('a');
    expect(book.backoffUntil('a', 1100)).toBeNull();
    expect(book.backOff('a', 'refused', 2000, delay)).toEqual({ until: 2060, started: true });
  });
});

describe('account book: backoffs shared by relays on one database', () => {
  it('adopts a backoff another relay started, keeps a later one of its own, ignores one that ended', () => {
    const book = new AccountBook();
    book.backOff('mine', 'refused', 100, () => 60);
    book.adopt(
      [
        { tenant_id: '', account_id: 'theirs', until: 130, error: 'timeout' },
        { tenant_id: '', account_id: 'mine', until: 120, error: 'earlier' },
        { tenant_id: '', account_id: 'over', until: 100, error: 'ended' },
      ],
      100,
    );
    expect(book.backoffUntil('theirs', 100)).toBe(130);
    expect(book.backoffError('theirs')).toBe('timeout');
    expect(book.backoffUntil('mine', 100)).toBe(160);
    expect(book.backoffUntil('over', 100)).toBeNull();
  });

  it('says whether a recovered account was backing off (only then is the recovery shared)', () => {
    const book = new AccountBook();
    book.backOff('a', 'refused', 100, () => 60);
    expect(book.recovered('a')).toBe(true);
    expect(book.recovered('a')).toBe(false);
    expect(book.backoffUntil('a', 100)).toBeNull();
  });
});
