import { useEffect, useMemo, useSyncExternalStore } from 'react';
import type { CapturedListItem } from '../../api/types.js';
import { LiveList, type LiveListSnapshot } from '../../lib/live-list.js';
import { throttle } from '../../lib/throttle.js';
import { useRelay } from '../../state/relay-context.js';
import { capturedChange, matchesSearch } from './captured-events.js';

export function useCapturedList(q: string): { list: LiveList<CapturedListItem, number>; snapshot: LiveListSnapshot<CapturedListItem> } {
  const { api, events } = useRelay();
  const list = useMemo(() => new LiveList<CapturedListItem, number>((c) => c.id), []);
  const snapshot = useSyncExternalStore(list.subscribe, list.getSnapshot);

  useEffect(() => {
    void list.setSource((cursor, limit) => api.listCaptured({ q, cursor, limit }));
    const refreshHead = throttle(() => void list.refreshHead(), 1000);
    let added: CapturedListItem[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flushAdded = () => {
      timer = null;
      // newest first, as the server lists them
      const batch = added.sort((a, b) => b.id - a.id);
      added = [];
      list.prepend(batch);
    };
    const off = events.on('captured', (data) => {
      const change = capturedChange(data);
      switch (change.kind) {
        case 'added':
          if (q && !matchesSearch(change.item, q)) return;
          added.push(change.item);
          timer ??= setTimeout(flushAdded, 150);
          return;
        case 'deleted':
          list.remove(change.ids);
          return;
        case 'cleared':
          list.clear();
          refreshHead();
          return;
        default:
          refreshHead();
      }
    });
    const offResync = events.on('resync', () => refreshHead());
    return () => {
      off();
      offResync();
      refreshHead.cancel();
      if (timer) clearTimeout(timer);
    };
  }, [api, events, list, q]);

  return { list, snapshot };
}
