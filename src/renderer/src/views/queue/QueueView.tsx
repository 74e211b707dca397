import { useCallback, useEffect, useRef, useState } from 'react';
import type { MessageSummary } from '../../api/types.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { VirtualList, type VirtualListHandle } from '../../components/VirtualList.js';
import { DetailNav } from '../../layout/DetailNav.js';
import { SelectionBar } from '../../layout/SelectionBar.js';
import { navigate, type Route } from '../../lib/router.js';
import { countLabel } from '../../lib/selection.js';
import { useNow } from '../../hooks/useNow.js';
import { useTriage } from '../../hooks/useTriage.js';
import { useRelay } from '../../state/relay-context.js';
import { useAccounts } from '../../state/useAccounts.js';
import { MessageDetail } from '../message/MessageDetail.js';
import { QueueEmpty } from './QueueEmpty.js';
import { QueueFilters } from './QueueFilters.js';
import { QueueRow } from './QueueRow.js';
import { messageRowKey, type QueueFilter } from './queue-events.js';
import { useQueueBulk } from './useQueueBulk.js';
import { useQueueList } from './useQueueList.js';

const ROW_HEIGHT = 52;
/** the route's value for the default tenant's filter (a tenant id is never empty) */
export const DEFAULT_TENANT_PARAM = '~';

function filterFromRoute(route: Route): QueueFilter {
  const tenant = route.params.tenant;
  // `state=reported`: a link from before the report was told apart from the outcome
  const legacyReported = route.params.state === 'reported';
  const reported = route.params.reported;
  return {
    tenant_id: tenant === undefined ? undefined : tenant === DEFAULT_TENANT_PARAM ? '' : tenant,
    state: legacyReported ? '' : ((route.params.state as QueueFilter['state']) ?? ''),
    reported: legacyReported || reported === 'yes' ? true : reported === 'no' ? false : undefined,
    account_id: route.params.account ?? '',
    q: route.params.q ?? '',
  };
}

function filterParams(f: QueueFilter): Record<string, string | undefined> {
  const tenant = f.tenant_id === undefined ? undefined : f.tenant_id || DEFAULT_TENANT_PARAM;
  const reported = f.reported === undefined ? undefined : f.reported ? 'yes' : 'no';
  return { tenant, state: f.state || undefined, reported, account: f.account_id || undefined, q: f.q || undefined };
}

export function QueueView({ route }: { route: Route }) {
  const { stats, tenants } = useRelay();
  const filter = filterFromRoute(route);
  const { list, snapshot } = useQueueList(filter);
  const { accounts } = useAccounts();
  const now = useNow(1000);
  // the selected message's tenant rides along as `of` (two tenants may use the same id)
  const selectedTenant = route.params.of ?? '';
  const selected = route.id !== undefined ? messageRowKey({ tenant_id: selectedTenant, id: route.id }) : null;
  const params = filterParams(filter);
  // a relay without tenants looks as it always did: no tenant column
  const showTenant = (tenants?.length ?? 0) > 0 || snapshot.items.some((m) => m.tenant_id !== '');

  const paramsRef = useRef(params);
  useEffect(() => {
    paramsRef.current = params;
  });
  const onOpenId = useCallback((id: string, tenantId: string) => navigate('queue', id, { ...paramsRef.current, of: tenantId || undefined }), []);
  const open = useCallback((m: MessageSummary) => onOpenId(m.id, m.tenant_id), [onOpenId]);
  const loadMore = useCallback(() => void list.loadMore(), [list]);
  const filtered = !!(filter.state || filter.account_id || filter.q || filter.tenant_id !== undefined || filter.reported !== undefined);
  const close = useCallback(() => navigate('queue', undefined, paramsRef.current), []);

  const listRef = useRef<VirtualListHandle<MessageSummary>>(null);
  const bulk = useQueueBulk();
  const [confirmDelete, setConfirmDelete] = useState<string[] | null>(null);
  const byKey = (keys: readonly string[]) => {
    const want = new Set(keys);
    return snapshot.items.filter((m) => want.has(messageRowKey(m)));
  };
  const openKey = useCallback(
    (key: string) => {
      const m = snapshot.items.find((it) => messageRowKey(it) === key);
      if (m) open(m);
    },
    [snapshot.items, open],
  );
  const triage = useTriage({
    items: snapshot.items,
    keyOf: messageRowKey,
    openKey: selected,
    open: openKey,
    close,
    list: listRef,
    deleteSelected: (keys) => setConfirmDelete(keys),
    enabled: confirmDelete === null,
  });

  return (
    <div className={selected ? 'split has-detail' : 'split'}>
      <section className="pane list-pane" aria-label="Message queue">
        <QueueFilters
          filter={filter}
          onChange={(f) => navigate('queue', route.id, { ...filterParams(f), of: route.params.of })}
          accounts={accounts}
          tenants={showTenant ? (tenants ?? []) : null}
          stats={stats}
          shown={snapshot.items.length}
          hasMore={snapshot.hasMore}
        />
        {triage.picked.length > 0 ? (
          <SelectionBar count={triage.picked.length} onClear={triage.clearSelection}>
            <button type="button" className="btn btn-small" onClick={() => void bulk.run('retry', byKey(triage.picked)).then(triage.clearSelection)}>
              Retry
            </button>
            <button type="button" className="btn btn-small btn-danger" onClick={() => setConfirmDelete(triage.picked)}>
              Delete {triage.picked.length}…
            </button>
          </SelectionBar>
        ) : null}
        {bulk.notice ? (
          <p className="triage-notice" role="status">
            {bulk.notice}
          </p>
        ) : null}
        <ErrorNote error={bulk.error ?? snapshot.error} />
        {snapshot.loaded && snapshot.items.length === 0 ? (
          <QueueEmpty filtered={filtered} onClear={() => navigate('queue')} />
        ) : (
          <VirtualList
            items={snapshot.items}
            keyOf={messageRowKey}
            rowHeight={ROW_HEIGHT}
            hasMore={snapshot.hasMore}
            loading={snapshot.loading}
            onLoadMore={loadMore}
            selectedKey={selected}
            onOpen={open}
            label="Messages"
            pickedKeys={triage.selection.keys}
            onPick={triage.onPick}
            handleRef={listRef}
            openOnMove
            header={
              <div className="row queue-row list-header" aria-hidden="true">
                <div className="col-state">state</div>
                {showTenant ? <div className="col-tenant">tenant</div> : null}
                <div className="col-main">subject · from → to</div>
                <div className="col-account">account</div>
                <div className="col-priority">priority</div>
                <div className="col-attempts">tries</div>
                <div className="col-when">when</div>
              </div>
            }
            renderRow={(m, ctx) => (
              <QueueRow message={m} showTenant={showTenant} active={ctx.active} selected={ctx.selected} rowId={ctx.rowId} now={now} onOpen={onOpenId} />
            )}
          />
        )}
      </section>
      {route.id !== undefined ? (
        <div className="detail-column">
          <DetailNav
            what="message"
            position={triage.position}
            total={snapshot.items.length}
            more={snapshot.hasMore}
            onBack={close}
            onPrev={triage.prev !== null ? () => openKey(triage.prev!) : null}
            onNext={triage.next !== null ? () => openKey(triage.next!) : null}
          />
          <MessageDetail key={selected} id={route.id} tenantId={selectedTenant} onClose={close} />
        </div>
      ) : null}
      {confirmDelete ? (
        <ConfirmDialog
          title={`Delete ${countLabel(confirmDelete.length)}?`}
          confirmLabel={`Delete ${countLabel(confirmDelete.length)}`}
          danger
          onCancel={() => setConfirmDelete(null)}
          onConfirm={async () => {
            const keys = confirmDelete;
            setConfirmDelete(null);
            if (selected !== null && keys.includes(selected)) triage.openNextAfter(keys);
            await bulk.run('delete', byKey(keys));
            triage.clearSelection();
          }}
        >
          <p>The picked messages are removed from the queue, whatever their state.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
