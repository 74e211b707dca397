import { useEffect, useMemo, useSyncExternalStore } from 'react';
import type { MessageEvent, MessageSummary } from '../../api/types.js';
import { LiveList, type LiveListSnapshot } from '../../lib/live-list.js';
import { throttle } from '../../lib/throttle.js';
import { useRelay } from '../../state/relay-context.js';
import { applyEvent, eventRowKey, eventsFromPayload, matchesFilter, mayEnterList, messageRowKey, type QueueFilter } from './queue-events.js';

/** How often buffered SSE events are applied to the list (one re-render per flush, whatever the burst). */
const FLUSH_MS = 200;
/** rows refetched when new messages may have arrived */
const HEAD_ROWS = 200;
/** rows refetched at most after a burst too large to be announced row by row */
const MAX_REFRESH_ROWS = 2000;

export interface QueueListHandle {
  list: LiveList<MessageSummary>;
  snapshot: LiveListSnapshot<MessageSummary>;
}

/** The queue for one filter, loaded page by page and kept live from the `messages` event stream. */
export function useQueueList(filter: QueueFilter): QueueListHandle {
  const { api, events } = useRelay();
  const list = useMemo(() => new LiveList<MessageSummary>(messageRowKey), []);
  const snapshot = useSyncExternalStore(list.subscribe, list.getSnapshot);
  const { tenant_id, state, reported, account_id, q } = filter;

  useEffect(() => {
    const f: QueueFilter = { tenant_id, state, reported, account_id, q };
    void list.setSource((cursor, limit) => api.listMessages({ ...f, cursor, limit }));

    // a coalesced burst may have changed any loaded row: refetch the loaded top (bounded), not only the head
    let wantRows = 0;
    const runRefresh = throttle(() => {
      const rows = wantRows;
      wantRows = 0;
      void list.refreshHead(rows);
    }, 1000);
    const requestRefresh = (rows: number) => {
      wantRows = Math.max(wantRows, rows);
      runRefresh();
    };
    let buffer: MessageEvent[] = [];
    let coalesced = false;
    let timer: ReturnType<typeof setTimeout> | null = null;

    const flush = () => {
      timer = null;
      const batch = buffer;
      buffer = [];
      const byId = new Map<string, MessageEvent[]>();
      let unknownMayEnter = false;
      const coalescedBurst = coalesced;
      coalesced = false;
      for (const ev of batch) {
        const key = eventRowKey(ev);
        if (list.has(key)) {
          const arr = byId.get(key);
          if (arr) arr.push(ev);
          else byId.set(key, [ev]);
        } else if (mayEnterList(ev, f)) {
          unknownMayEnter = true;
        }
      }
      if (byId.size > 0) {
        list.updateMany(byId.keys(), (row) => {
          let next: MessageSummary | null = row;
          for (const ev of byId.get(messageRowKey(row)) ?? []) {
            if (!next) break;
            next = applyEvent(next, ev);
          }
          return next && matchesFilter(next, f) ? next : null;
        });
      }
      if (coalescedBurst) requestRefresh(Math.min(Math.max(list.size, HEAD_ROWS), MAX_REFRESH_ROWS));
      else if (unknownMayEnter) requestRefresh(HEAD_ROWS);
    };

    const offMessages = events.on('messages', (data) => {
      const evs = eventsFromPayload(data);
      if (evs) buffer.push(...evs);
      else coalesced = true;
      timer ??= setTimeout(flush, FLUSH_MS);
    });
    const offResync = events.on('resync', () => requestRefresh(Math.min(Math.max(list.size, HEAD_ROWS), MAX_REFRESH_ROWS)));
    return () => {
      offMessages();
      offResync();
      runRefresh.cancel();
      if (timer) clearTimeout(timer);
    };
  }, [api, events, list, tenant_id, state, reported, account_id, q]);

  return { list, snapshot };
}
