import { describe, expect, it } from 'vitest';
import { LiveList } from '../../../src/renderer/src/lib/live-list.js';
import type { Page } from '../../../src/renderer/src/api/types.js';

interface Row {
  id: string;
  v: number;
}

/** A newest-first server list of `n` rows (id r{n-1} first), paginated by index cursors. */
function server(rows: Row[]) {
  const calls: { cursor: string | null; limit: number }[] = [];
  const fetchPage = async (cursor: string | null, limit: number): Promise<Page<Row>> => {
    calls.push({ cursor, limit });
    const start = cursor ? Number(cursor) : 0;
    const items = rows.slice(start, start + limit);
    return { items, next_cursor: start + limit < rows.length ? String(start + limit) : null };
  };
  return { fetchPage, calls };
}

const rows = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => ({ id: `r${from - i}`, v: 0 }));

describe('LiveList', () => {
  it('loads the first page, then further pages on demand, without duplicates', async () => {
    const s = server(rows(1199, 0));
    const list = new LiveList<Row>((r) => r.id, 500, 200);
    await list.setSource(s.fetchPage);
    let snap = list.getSnapshot();
    expect(snap.items).toHaveLength(500);
    expect(snap.hasMore).toBe(true);
    expect(snap.loaded).toBe(true);
    await list.loadMore();
    await list.loadMore();
    snap = list.getSnapshot();
    expect(snap.items).toHaveLength(1200);
    expect(snap.hasMore).toBe(false);
    await list.loadMore();
    expect(s.calls).toHaveLength(3);
    expect(new Set(snap.items.map((r) => r.id)).size).toBe(1200);
  });

  it('drops the answer of a superseded source (filter changed while loading)', async () => {
    const list = new LiveList<Row>((r) => r.id);
    let release: (p: Page<Row>) => void = () => {};
    const slow = () => new Promise<Page<Row>>((resolve) => (release = resolve));
    const first = list.setSource(slow);
    await list.setSource(async () => ({ items: [{ id: 'new', v: 1 }], next_cursor: null }));
    release({ items: [{ id: 'old', v: 0 }], next_cursor: null });
    await first;
    expect(list.getSnapshot().items.map((r) => r.id)).toEqual(['new']);
  });

  it('merges new rows at the head and refreshes known ones', async () => {
    const data = rows(9, 0);
    const s = server(data);
    const list = new LiveList<Row>((r) => r.id, 5, 3);
    await list.setSource(s.fetchPage);
    expect(list.getSnapshot().items.map((r) => r.id)).toEqual(['r9', 'r8', 'r7', 'r6', 'r5']);
    data.unshift({ id: 'r10', v: 0 });
    data[1] = { id: 'r9', v: 7 };
    await list.refreshHead();
    const ids = list.getSnapshot().items.map((r) => r.id);
    expect(ids).toEqual(['r10', 'r9', 'r8', 'r7', 'r6', 'r5']);
    expect(list.get('r9')?.v).toBe(7);
    expect(list.getSnapshot().hasMore).toBe(true);
  });

  it('restarts from the head when more new rows arrived than the head covers (no gap)', async () => {
    const data = rows(9, 0);
    const s = server(data);
    const list = new LiveList<Row>((r) => r.id, 5, 3);
    await list.setSource(s.fetchPage);
    data.unshift(...rows(19, 10));
    await list.refreshHead();
    expect(list.getSnapshot().items.map((r) => r.id)).toEqual(['r19', 'r18', 'r17']);
    await list.loadMore();
    expect(list.getSnapshot().items.map((r) => r.id).slice(0, 8)).toEqual(['r19', 'r18', 'r17', 'r16', 'r15', 'r14', 'r13', 'r12']);
  });

  it('refetches several pages when asked for more rows than one page', async () => {
    const data = rows(29, 0);
    const s = server(data);
    const list = new LiveList<Row>((r) => r.id, 5, 3);
    await list.setSource(s.fetchPage);
    await list.loadMore();
    data[7] = { id: data[7].id, v: 42 };
    await list.refreshHead(10);
    expect(list.get(data[7].id)?.v).toBe(42);
    expect(list.getSnapshot().items).toHaveLength(10);
  });

  it('a short list that fits in the head is replaced whole (removed rows disappear)', async () => {
    const data = rows(3, 0);
    const list = new LiveList<Row>((r) => r.id, 5, 5);
    await list.setSource(server(data).fetchPage);
    data.splice(1, 1);
    await list.refreshHead();
    expect(list.getSnapshot().items.map((r) => r.id)).toEqual(['r3', 'r1', 'r0']);
  });

  it('updates and removes rows in place, keeping the index consistent', async () => {
    const list = new LiveList<Row>((r) => r.id);
    await list.setSource(server(rows(4, 0)).fetchPage);
    const before = list.getSnapshot();
    list.updateMany(['r3', 'missing'], (r) => ({ ...r, v: 1 }));
    expect(list.getSnapshot()).not.toBe(before);
    expect(list.get('r3')?.v).toBe(1);
    list.remove(['r4', 'r2']);
    expect(list.getSnapshot().items.map((r) => r.id)).toEqual(['r3', 'r1', 'r0']);
    expect(list.indexOf('r1')).toBe(1);
    list.updateMany(['r1'], (r) => r);
    expect(list.indexOf('r0')).toBe(2);
    list.prepend([{ id: 'n1', v: 0 }, { id: 'r3', v: 9 }]);
    expect(list.getSnapshot().items.map((r) => r.id)).toEqual(['n1', 'r3', 'r1', 'r0']);
    expect(list.get('r3')?.v).toBe(1);
  });

  it('reports a failed page and recovers on the next load', async () => {
    let fail = true;
    const list = new LiveList<Row>((r) => r.id);
    await list.setSource(async () => {
      if (fail) throw new Error('HTTP 500');
      return { items: [{ id: 'a', v: 0 }], next_cursor: null };
    });
    expect(list.getSnapshot().error).toBe('HTTP 500');
    expect(list.getSnapshot().loaded).toBe(false);
    fail = false;
    await list.refreshHead();
    expect(list.getSnapshot().error).toBeNull();
    expect(list.getSnapshot().items).toHaveLength(1);
  });

  it('handles 100,000 rows with index lookups', async () => {
    const big = Array.from({ length: 100_000 }, (_, i) => ({ id: `m${i}`, v: 0 }));
    const list = new LiveList<Row>((r) => r.id, 100_000);
    await list.setSource(async () => ({ items: big, next_cursor: null }));
    list.updateMany(['m99999', 'm5'], (r) => ({ ...r, v: 2 }));
    expect(list.get('m99999')?.v).toBe(2);
    list.remove(['m0']);
    expect(list.size).toBe(99_999);
    expect(list.indexOf('m99999')).toBe(99_998);
  });
});
