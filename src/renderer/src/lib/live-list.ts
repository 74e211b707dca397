import type { Page } from '../api/types.js';
import { errorMessage } from './errors.js';

export type FetchPage<T> = (cursor: string | null, limit: number) => Promise<Page<T>>;

export interface LiveListSnapshot<T> {
  items: readonly T[];
  hasMore: boolean;
  loading: boolean;
  /** the first page has arrived (distinguishes "empty" from "not loaded yet") */
  loaded: boolean;
  error: string | null;
}

/**
 * A newest-first, cursor-paginated list kept current by live events: pages load on demand as the user
 * scrolls, rows are updated or removed in place by key, and new rows at the head are merged in from a
 * refetch of the first page. Built for lists of 100,000 rows: lookups go through an index, every change
 * makes one new array, and React reads immutable snapshots (useSyncExternalStore).
 */
export class LiveList<T, K extends string | number = string> {
  private items: T[] = [];
  private index = new Map<K, number>();
  private cursor: string | null = null;
  private fetchPage: FetchPage<T> | null = null;
  private generation = 0;
  private loading = false;
  private loaded = false;
  private error: string | null = null;
  private snapshot: LiveListSnapshot<T>;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly keyOf: (item: T) => K,
    private readonly pageSize = 500,
    private readonly headSize = 200,
  ) {
    this.snapshot = this.makeSnapshot();
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getSnapshot = (): LiveListSnapshot<T> => this.snapshot;

  get(key: K): T | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.items[i];
  }

  has(key: K): boolean {
    return this.index.has(key);
  }

  get size(): number {
    return this.items.length;
  }

  /** Replaces the source (a new filter) and loads its first page. */
  async setSource(fetchPage: FetchPage<T>): Promise<void> {
    this.fetchPage = fetchPage;
    const gen = ++this.generation;
    this.items = [];
    this.index = new Map();
    this.cursor = null;
    this.loaded = false;
    this.error = null;
    this.loading = true;
    this.publish();
    try {
      const page = await fetchPage(null, this.pageSize);
      if (gen !== this.generation) return;
      this.items = [];
      this.index = new Map();
      this.appendUnique(page.items);
      this.cursor = page.next_cursor;
      this.loaded = true;
    } catch (err) {
      if (gen !== this.generation) return;
      this.error = errorMessage(err);
    }
    this.loading = false;
    this.publish();
  }

  /** Loads the next page (no-op while loading or at the end). */
  async loadMore(): Promise<void> {
    if (!this.fetchPage || this.loading || !this.cursor) return;
    const gen = this.generation;
    this.loading = true;
    this.publish();
    try {
      const page = await this.fetchPage(this.cursor, this.pageSize);
      if (gen !== this.generation) return;
      this.items = this.items.slice();
      this.appendUnique(page.items);
      this.cursor = page.next_cursor;
      this.error = null;
    } catch (err) {
      if (gen !== this.generation) return;
      this.error = errorMessage(err);
    }
    this.loading = false;
    this.publish();
  }

  /**
   * Refetches the top `rows` rows (one head page by default) and merges them: new rows go on top,
   * known rows are refreshed.
   */
  async refreshHead(rows = this.headSize): Promise<void> {
    if (!this.fetchPage) return;
    const gen = this.generation;
    try {
      const head: T[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<T> = await this.fetchPage(cursor, Math.min(this.pageSize, Math.max(1, rows - head.length)));
        if (gen !== this.generation) return;
        head.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor !== null && head.length < rows);
      this.error = null;
      this.mergeHead(head, cursor);
    } catch (err) {
      if (gen !== this.generation) return;
      this.error = errorMessage(err);
      this.publish();
    }
  }

  /**
   * Merges fresh top rows (`headCursor`: where paging continues after them). The head comes first in server order and loaded rows below it keep their
   * order. If the head does not reach the rows already loaded (more new rows than one head page), the
   * list restarts from the head so that no gap is left between them.
   */
  mergeHead(head: T[], headCursor: string | null): void {
    const headKeys = new Set(head.map(this.keyOf));
    let rest: T[] = [];
    if (headCursor === null) {
      this.cursor = null;
    } else {
      const overlaps = this.items.length === 0 || this.items.some((it) => headKeys.has(this.keyOf(it)));
      if (overlaps) rest = this.items.filter((it) => !headKeys.has(this.keyOf(it)));
      else this.cursor = headCursor;
      if (this.items.length === 0) this.cursor = headCursor;
    }
    this.items = [];
    this.index = new Map();
    this.appendUnique(head);
    this.appendUnique(rest);
    this.loaded = true;
    this.publish();
  }

  indexOf(key: K): number {
    return this.index.get(key) ?? -1;
  }

  /** Inserts rows at the top (newest first), skipping known keys. */
  prepend(rows: T[]): void {
    const fresh = rows.filter((r) => !this.index.has(this.keyOf(r)));
    if (fresh.length === 0) return;
    const next = fresh.concat(this.items);
    this.items = [];
    this.index = new Map();
    this.appendUnique(next);
    this.publish();
  }

  /** Applies changes to known rows; `change` returns the new row, the same row, or null to remove it. */
  updateMany(keys: Iterable<K>, change: (row: T) => T | null): void {
    let removed = false;
    let changed = false;
    let next: T[] | null = null;
    for (const key of keys) {
      const i = this.index.get(key);
      if (i === undefined) continue;
      const row = (next ?? this.items)[i];
      if (row === undefined) continue;
      const updated = change(row);
      if (updated === row) continue;
      next ??= this.items.slice();
      changed = true;
      if (updated === null) {
        removed = true;
        this.index.delete(key);
        next[i] = undefined as unknown as T;
      } else {
        next[i] = updated;
      }
    }
    if (!changed || !next) return;
    if (removed) {
      const kept = next.filter((r) => r !== undefined);
      this.items = [];
      this.index = new Map();
      this.appendUnique(kept);
    } else {
      this.items = next;
    }
    this.publish();
  }

  remove(keys: Iterable<K>): void {
    this.updateMany(keys, () => null);
  }

  clear(): void {
    this.items = [];
    this.index = new Map();
    this.cursor = null;
    this.publish();
  }

  private appendUnique(rows: readonly T[]): void {
    for (const r of rows) {
      const k = this.keyOf(r);
      if (this.index.has(k)) continue;
      this.index.set(k, this.items.length);
      this.items.push(r);
    }
  }

  private makeSnapshot(): LiveListSnapshot<T> {
    return { items: this.items, hasMore: this.cursor !== null, loading: this.loading, loaded: this.loaded, error: this.error };
  }

  private publish(): void {
    this.snapshot = this.makeSnapshot();
    for (const fn of this.listeners) fn();
  }
}
