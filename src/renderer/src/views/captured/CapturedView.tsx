import { useCallback, useEffect, useMemo, useReducer, useState } from 'react';
import type { CapturedListItem } from '../../api/types.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { Snippet } from '../../components/Snippet.js';
import { UndoToast } from '../../components/UndoToast.js';
import { VirtualList } from '../../components/VirtualList.js';
import { useNow } from '../../hooks/useNow.js';
import { DeferredDeletes } from '../../lib/deferred-deletes.js';
import { errorMessage } from '../../lib/errors.js';
import { formatNumber } from '../../lib/format.js';
import { navigate, type Route } from '../../lib/router.js';
import { debounce } from '../../lib/throttle.js';
import { useRelay } from '../../state/relay-context.js';
import { useConnectionInfo } from '../../state/useConnectionInfo.js';
import { smtpEnvSnippet, smtpSnippet } from '../settings/connection-info.js';
import { CapturedDetail } from './CapturedDetail.js';
import { CapturedRow } from './CapturedRow.js';
import { bulkDeleteLabels, bulkDeletePlan } from './bulk-delete.js';
import { SearchHint } from './SearchHint.js';
import { useCapturedList } from './useCapturedList.js';
import { InlineField } from '../../components/Field.js';

const ROW_HEIGHT = 68;
const keyOf = (c: CapturedListItem) => c.id;

function CapturedEmpty({ searching }: { searching: boolean }) {
  const info = useConnectionInfo();
  if (searching) return <EmptyState title="No captured mail matches this search" />;
  return (
    <EmptyState title="No captured mail yet">
      <p>
        In sandbox mode every message the relay dispatches lands here instead of reaching its recipients. You can also point
        any application's SMTP settings straight at the sandbox:
      </p>
      <Snippet title="SMTP settings" text={smtpSnippet(info)} />
      <Snippet title="Environment variables" text={smtpEnvSnippet(info)} />
    </EmptyState>
  );
}

/** The sandbox's inbox (Mailpit-style): searchable list, live arrivals, inspector. */
export function CapturedView({ route }: { route: Route }) {
  const { api, patchStats, stats, tenants } = useRelay();
  const q = route.params.q ?? '';
  const [search, setSearch] = useState(q);
  const { list, snapshot } = useCapturedList(q);
  const now = useNow(15_000);
  const [confirmClear, setConfirmClear] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const selected = route.id !== undefined && /^\d+$/.test(route.id) ? Number(route.id) : null;

  useEffect(() => setSearch(q), [q]);
  const [pushSearch] = useState(() => debounce((value: string) => navigate('captured', undefined, { q: value || undefined }), 300));
  useEffect(() => () => pushSearch.cancel(), [pushSearch]);

  const open = useCallback((id: number) => navigate('captured', id, { q: q || undefined }), [q]);
  const openItem = useCallback((c: CapturedListItem) => open(c.id), [open]);
  const markRead = useCallback(
    (id: number) => {
      if (list.get(id)?.read === false) {
        patchStats((s) => (s.captured?.unread ? { ...s, captured: { ...s.captured, unread: s.captured.unread - 1 } } : s));
      }
      list.updateMany([id], (row) => (row.read ? row : { ...row, read: true }));
    },
    [list, patchStats],
  );
  const loadMore = useCallback(() => void list.loadMore(), [list]);

  // a single delete waits a few seconds (undo) with its row hidden, then reaches the server
  const [, rerender] = useReducer((n: number) => n + 1, 0);
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
  const pending = deletes.current;
  const items = useMemo(() => (pending ? snapshot.items.filter((c) => c.id !== pending.key) : snapshot.items), [snapshot.items, pending]);
  const unread = items.reduce((n, c) => n + (c.read ? 0 : 1), 0);
  const plan = bulkDeletePlan(q, items.map((c) => c.id), q ? null : (stats?.captured?.total ?? null), snapshot.hasMore);
  const labels = bulkDeleteLabels(plan);
  const showTenant = (tenants?.length ?? 0) > 0;

  return (
    <div className={selected !== null ? 'split has-detail wide-detail' : 'split'}>
      <section className="pane list-pane captured-list" aria-label="Captured mail">
        <form className="filters" role="search" aria-label="Search captured mail" onSubmit={(e) => e.preventDefault()}>
          <InlineField label="Search" className="grow">
            <input
              type="search"
              data-search
              placeholder="words, or from: to: subject: is:unread has:attachment   ( / )"
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                pushSearch(e.target.value.trim());
              }}
            />
          </InlineField>
          <span className="muted small" aria-live="polite">
            {formatNumber(items.length)}
            {snapshot.hasMore ? '+' : ''} · {unread} unread
          </span>
          <button type="button" className="btn btn-small btn-danger" disabled={items.length === 0} onClick={() => setConfirmClear(true)}>
            {labels.button}
          </button>
        </form>
        <SearchHint q={q} />
        <ErrorNote error={error ?? snapshot.error} />
        {snapshot.loaded && items.length === 0 ? (
          <CapturedEmpty searching={!!q} />
        ) : (
          <VirtualList
            items={items}
            keyOf={keyOf}
            rowHeight={ROW_HEIGHT}
            hasMore={snapshot.hasMore}
            loading={snapshot.loading}
            onLoadMore={loadMore}
            selectedKey={selected}
            onOpen={openItem}
            label="Captured messages"
            renderRow={(c, ctx) => <CapturedRow item={c} showTenant={showTenant} active={ctx.active} selected={ctx.selected} rowId={ctx.rowId} now={now} onOpen={open} />}
          />
        )}
      </section>
      {selected !== null ? (
        <CapturedDetail
          key={selected}
          id={selected}
          onClose={() => navigate('captured', undefined, { q: q || undefined })}
          onOpened={markRead}
          onDelete={(id, subject) => {
            deletes.schedule(id, subject ? `Deleted “${subject}”` : 'Deleted the mail');
            navigate('captured', undefined, { q: q || undefined });
          }}
        />
      ) : null}
      {confirmClear ? (
        <ConfirmDialog
          title={labels.title}
          confirmLabel={labels.confirm}
          danger
          onCancel={() => setConfirmClear(false)}
          onConfirm={async () => {
            setConfirmClear(false);
            try {
              if (plan.kind === 'all') {
                await api.deleteAllCaptured();
                list.clear();
                patchStats((s) => ({ ...s, captured: { ...s.captured, total: 0, unread: 0 } }));
              } else {
                await api.deleteCapturedIds(plan.ids);
                list.remove(plan.ids);
              }
              setError(null);
              navigate('captured', undefined, { q: q || undefined });
            } catch (err) {
              setError(errorMessage(err));
            }
          }}
        >
          {plan.kind === 'all' ? (
            <p>Every message the sandbox has captured is removed. Queued messages are not affected.</p>
          ) : (
            <p>
              Only the {formatNumber(plan.count)} message{plan.count === 1 ? '' : 's'} this search shows {plan.count === 1 ? 'is' : 'are'} removed; other captured mail stays.
              {plan.more ? ' More messages match the search than are loaded: scroll down to include them.' : ''}
            </p>
          )}
        </ConfirmDialog>
      ) : null}
      {pending ? <UndoToast text={pending.label} onUndo={() => deletes.undo()} /> : null}
    </div>
  );
}
