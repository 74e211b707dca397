import { useCallback, useEffect, useRef } from 'react';
import type { MessageSummary } from '../../api/types.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { VirtualList } from '../../components/VirtualList.js';
import { navigate, type Route } from '../../lib/router.js';
import { useNow } from '../../hooks/useNow.js';
import { useRelay } from '../../state/relay-context.js';
import { useAccounts } from '../../state/useAccounts.js';
import { MessageDetail } from '../message/MessageDetail.js';
import { QueueEmpty } from './QueueEmpty.js';
import { QueueFilters } from './QueueFilters.js';
import { QueueRow } from './QueueRow.js';
import type { QueueFilter } from './queue-events.js';
import { useQueueList } from './useQueueList.js';

const ROW_HEIGHT = 52;
const keyOf = (m: MessageSummary) => m.id;

function filterFromRoute(route: Route): QueueFilter {
  return {
    state: (route.params.state as QueueFilter['state']) ?? '',
    account_id: route.params.account ?? '',
    q: route.params.q ?? '',
  };
}

function filterParams(f: QueueFilter): Record<string, string | undefined> {
  return { state: f.state || undefined, account: f.account_id || undefined, q: f.q || undefined };
}

export function QueueView({ route }: { route: Route }) {
  const { stats } = useRelay();
  const filter = filterFromRoute(route);
  const { list, snapshot } = useQueueList(filter);
  const { accounts } = useAccounts();
  const now = useNow(1000);
  const selected = route.id ?? null;
  const params = filterParams(filter);

  const paramsRef = useRef(params);
  useEffect(() => {
    paramsRef.current = params;
  });
  const onOpenId = useCallback((id: string) => navigate('queue', id, paramsRef.current), []);
  const open = useCallback((m: MessageSummary) => onOpenId(m.id), [onOpenId]);
  const loadMore = useCallback(() => void list.loadMore(), [list]);
  const filtered = !!(filter.state || filter.account_id || filter.q);

  return (
    <div className={selected ? 'split has-detail' : 'split'}>
      <section className="pane list-pane" aria-label="Message queue">
        <QueueFilters
          filter={filter}
          onChange={(f) => navigate('queue', selected ?? undefined, filterParams(f))}
          accounts={accounts}
          stats={stats}
          shown={snapshot.items.length}
          hasMore={snapshot.hasMore}
        />
        <ErrorNote error={snapshot.error} />
        {snapshot.loaded && snapshot.items.length === 0 ? (
          <QueueEmpty filtered={filtered} onClear={() => navigate('queue')} />
        ) : (
          <VirtualList
            items={snapshot.items}
            keyOf={keyOf}
            rowHeight={ROW_HEIGHT}
            hasMore={snapshot.hasMore}
            loading={snapshot.loading}
            onLoadMore={loadMore}
            selectedKey={selected}
            onOpen={open}
            label="Messages"
            header={
              <div className="row queue-row list-header" aria-hidden="true">
                <div className="col-state">state</div>
                <div className="col-main">subject · from → to</div>
                <div className="col-account">account</div>
                <div className="col-priority">priority</div>
                <div className="col-attempts">tries</div>
                <div className="col-when">when</div>
              </div>
            }
            renderRow={(m, ctx) => (
              <QueueRow message={m} active={ctx.active} selected={ctx.selected} rowId={ctx.rowId} now={now} onOpen={onOpenId} />
            )}
          />
        )}
      </section>
      {selected ? <MessageDetail id={selected} onClose={() => navigate('queue', undefined, params)} /> : null}
    </div>
  );
}
