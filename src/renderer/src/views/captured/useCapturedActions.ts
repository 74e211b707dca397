import { useCallback, useEffect, useMemo, useReducer, useState } from 'react';
import { setCapturedRead } from '../../api/captured-read.js';
import type { CapturedListItem } from '../../api/types.js';
import { DeferredDeletes } from '../../lib/deferred-deletes.js';
import { errorMessage } from '../../lib/errors.js';
import type { LiveList } from '../../lib/live-list.js';
import { countLabel } from '../../lib/selection.js';
import { useRelay } from '../../state/relay-context.js';

/** the route takes this many ids per request */
const IDS_PER_REQUEST = 1000;

export interface CapturedActions {
  /** a single delete waits a few seconds (undo) with its row hidden, then reaches the server */
  deletes: DeferredDeletes<number>;
  /** the list's rows changed locally (read flags) after the server confirmed */
  markOpened: (id: number) => void;
  setRead: (ids: readonly number[], read: boolean) => Promise<void>;
  /** every message the search matches (all captured mail without one) */
  markAllRead: (q: string, loaded: readonly CapturedListItem[]) => Promise<void>;
  deleteIds: (ids: readonly number[]) => Promise<void>;
  error: string | null;
  setError: (e: string | null) => void;
  /** what the last bulk action did ("Marked 3 messages read") */
  notice: string | null;
}

/** What the captured view does to its mail: read flags, deletes (single with undo, or by ids), with the header's unread count kept in step. */
export function useCapturedActions(list: LiveList<CapturedListItem, number>): CapturedActions {
  const { api, patchStats } = useRelay();
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);

  const adjustUnread = useCallback(
    (delta: number) => {
      if (delta === 0) return;
      patchStats((s) => (s.captured ? { ...s, captured: { ...s.captured, unread: Math.max(0, s.captured.unread + delta) } } : s));
    },
    [patchStats],
  );

  // the rows whose flag will change, counted before the list is updated
  const flip = useCallback(
    (ids: readonly number[], read: boolean) => {
      const changing = ids.filter((id) => {
        const row = list.get(id);
        return row !== undefined && row.read !== read;
      }).length;
      list.updateMany(ids, (row) => (row.read === read ? row : { ...row, read }));
      adjustUnread(read ? -changing : changing);
    },
    [list, adjustUnread],
  );

  const markOpened = useCallback((id: number) => flip([id], true), [flip]);

  const setRead = useCallback(
    async (ids: readonly number[], read: boolean) => {
      try {
        for (let i = 0; i < ids.length; i += IDS_PER_REQUEST) await setCapturedRead(api, { read, ids: ids.slice(i, i + IDS_PER_REQUEST) });
        flip(ids, read);
        setError(null);
        setNotice(`Marked ${countLabel(ids.length)} ${read ? 'read' : 'unread'}`);
      } catch (err) {
        setError(errorMessage(err));
      }
    },
    [api, flip],
  );

  const markAllRead = useCallback(
    async (q: string, loaded: readonly CapturedListItem[]) => {
      try {
        await setCapturedRead(api, { read: true, q: q || undefined });
        const ids = loaded.map((c) => c.id);
        flip(ids, true);
        if (!q) patchStats((s) => (s.captured ? { ...s, captured: { ...s.captured, unread: 0 } } : s));
        setError(null);
        setNotice(q ? 'Marked every message this search matches read' : 'Marked all captured mail read');
      } catch (err) {
        setError(errorMessage(err));
      }
    },
    [api, flip, patchStats],
  );

  const deleteIds = useCallback(
    async (ids: readonly number[]) => {
      try {
        const removed = await api.deleteCapturedIds(ids);
        list.remove(ids);
        setError(null);
        setNotice(`Deleted ${countLabel(removed)}`);
      } catch (err) {
        setError(errorMessage(err));
      }
    },
    [api, list],
  );

  const deletes = useMemo(
    () =>
      new DeferredDeletes<number>(async (id) => {
        try {
          await api.deleteCaptured(id);
          list.remove([id]);
        } catch (err) {
          if ((err as { status?: number }).status === 404) list.remove([id]);
          else setError(errorMessage(err));
        }
      }, rerender),
    [api, list],
  );
  useEffect(() => () => deletes.flush(), [deletes]);

  // a notice fades after a while; a new one restarts the clock
  useEffect(() => {
    if (notice === null) return;
    const t = setTimeout(() => setNotice(null), 6000);
    return () => clearTimeout(t);
  }, [notice]);

  return { deletes, markOpened, setRead, markAllRead, deleteIds, error, setError, notice };
}
