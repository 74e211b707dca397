import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CapturedListItem } from '../../api/types.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { Snippet } from '../../components/Snippet.js';
import { UndoToast } from '../../components/UndoToast.js';
import { VirtualList, type VirtualListHandle } from '../../components/VirtualList.js';
import { useNow } from '../../hooks/useNow.js';
import { useTriage } from '../../hooks/useTriage.js';
import { DetailNav } from '../../layout/DetailNav.js';
import { SelectionBar } from '../../layout/SelectionBar.js';
import { errorMessage } from '../../lib/errors.js';
import { formatNumber } from '../../lib/format.js';
import { navigate, type Route } from '../../lib/router.js';
import { countLabel } from '../../lib/selection.js';
import { debounce } from '../../lib/throttle.js';
import { useRelay } from '../../state/relay-context.js';
import { useConnectionInfo } from '../../state/useConnectionInfo.js';
import { smtpEnvSnippet, smtpSnippet } from '../settings/connection-info.js';
import { CapturedDetail } from './CapturedDetail.js';
import { CapturedRow } from './CapturedRow.js';
import { MailboxList } from './MailboxList.js';
import { bulkDeleteLabels, bulkDeletePlan } from './bulk-delete.js';
import { useCapturedActions } from './useCapturedActions.js';
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

/** The sandbox's inbox (Mailpit-style): searchable list, live arrivals, inspector, mail-client triage. */
export function CapturedView({ route }: { route: Route }) {
  const { api, patchStats, stats, tenants } = useRelay();
  const q = route.params.q ?? '';
  const [search, setSearch] = useState(q);
  const { list, snapshot } = useCapturedList(q);
  const actions = useCapturedActions(list);
  const { deletes, error, setError } = actions;
  const now = useNow(15_000);
  const [confirm, setConfirm] = useState<{ kind: 'clear' } | { kind: 'picked'; ids: number[] } | null>(null);
  const selected = route.id !== undefined && /^\d+$/.test(route.id) ? Number(route.id) : null;
  const listRef = useRef<VirtualListHandle<CapturedListItem>>(null);

  useEffect(() => setSearch(q), [q]);
  const [pushSearch] = useState(() => debounce((value: string) => navigate('captured', undefined, { q: value || undefined }), 300));
  useEffect(() => () => pushSearch.cancel(), [pushSearch]);

  const open = useCallback((id: number) => navigate('captured', id, { q: q || undefined }), [q]);
  const openItem = useCallback((c: CapturedListItem) => open(c.id), [open]);
  const close = useCallback(() => navigate('captured', undefined, { q: q || undefined }), [q]);
  const loadMore = useCallback(() => void list.loadMore(), [list]);

  const pending = deletes.current;
  const items = useMemo(() => (pending ? snapshot.items.filter((c) => c.id !== pending.key) : snapshot.items), [snapshot.items, pending]);
  const unread = items.reduce((n, c) => n + (c.read ? 0 : 1), 0);
  const plan = bulkDeletePlan(q, items.map((c) => c.id), q ? null : (stats?.captured?.total ?? null), snapshot.hasMore);
  const labels = bulkDeleteLabels(plan);
  const showTenant = (tenants?.length ?? 0) > 0;

  const triage = useTriage({
    items,
    keyOf,
    openKey: selected,
    open,
    close,
    list: listRef,
    deleteOne: (c) => deleteOne(c.id, c.subject),
    deleteSelected: (ids) => setConfirm({ kind: 'picked', ids }),
    keys: {
      // u flips the read flag of the picked rows, else of the open (or highlighted) mail
      u: () => {
        const ids = triage.picked.length ? triage.picked : selected !== null ? [selected] : [];
        const first = ids.length ? list.get(ids[0]!) : listRef.current?.active();
        if (ids.length === 0 && first) ids.push(first.id);
        if (first) void actions.setRead(ids, !first.read);
      },
    },
    enabled: confirm === null,
  });
  // the open mail is deleted with an undo, and the next one opens in its place
  const deleteOne = (id: number, subject: string | undefined) => {
    if (id === selected) triage.openNextAfter([id]);
    deletes.schedule(id, subject ? `Deleted “${subject}”` : 'Deleted the mail');
  };
  const openMail = selected === null ? undefined : (list.get(selected) ?? items.find((c) => c.id === selected));
  const { picked } = triage;

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
          <span className="muted small list-count" aria-live="polite">
            {formatNumber(items.length)}
            {snapshot.hasMore ? '+' : ''} · {unread} unread
          </span>
          <button
            type="button"
            className="btn btn-small"
            disabled={items.length === 0 || (unread === 0 && !(q ? snapshot.hasMore : (stats?.captured?.unread ?? 0) > 0))}
            onClick={() => void actions.markAllRead(q, items)}
            title={q ? 'Mark every message this search matches read' : 'Mark all captured mail read'}
          >
            Mark all read
          </button>
          <button type="button" className="btn btn-small btn-danger" disabled={items.length === 0} onClick={() => setConfirm({ kind: 'clear' })}>
            {labels.button}
          </button>
        </form>
        <MailboxList q={q} />
        {picked.length > 0 ? (
          <SelectionBar count={picked.length} onClear={triage.clearSelection}>
            <button type="button" className="btn btn-small" onClick={() => void actions.setRead(picked, true)}>
              Mark read
            </button>
            <button type="button" className="btn btn-small" onClick={() => void actions.setRead(picked, false)}>
              Mark unread
            </button>
            <button type="button" className="btn btn-small btn-danger" onClick={() => setConfirm({ kind: 'picked', ids: picked })}>
              Delete {picked.length}…
            </button>
          </SelectionBar>
        ) : null}
        {actions.notice ? (
          <p className="triage-notice" role="status">
            {actions.notice}
          </p>
        ) : null}
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
            pickedKeys={triage.selection.keys}
            onPick={triage.onPick}
            handleRef={listRef}
            openOnMove
            renderRow={(c, ctx) => <CapturedRow item={c} showTenant={showTenant} active={ctx.active} selected={ctx.selected} rowId={ctx.rowId} now={now} onOpen={open} />}
          />
        )}
      </section>
      {selected !== null ? (
        <div className="detail-column">
          <DetailNav
            what="mail"
            position={triage.position}
            total={items.length}
            more={snapshot.hasMore}
            onBack={close}
            onPrev={triage.prev !== null ? () => open(triage.prev!) : null}
            onNext={triage.next !== null ? () => open(triage.next!) : null}
          >
            {openMail ? (
              <button type="button" className="btn btn-small" onClick={() => void actions.setRead([openMail.id], !openMail.read)} title="Mark read or unread (u)">
                {openMail.read ? 'Mark unread' : 'Mark read'}
              </button>
            ) : null}
          </DetailNav>
          <CapturedDetail key={selected} id={selected} onClose={close} onOpened={actions.markOpened} onDelete={deleteOne} />
        </div>
      ) : null}
      {confirm ? (
        <ConfirmDialog
          title={confirm.kind === 'clear' ? labels.title : `Delete ${confirm.ids.length === 1 ? 'this message' : `these ${countLabel(confirm.ids.length)}`}?`}
          confirmLabel={confirm.kind === 'clear' ? labels.confirm : `Delete ${countLabel(confirm.ids.length)}`}
          danger
          onCancel={() => setConfirm(null)}
          onConfirm={async () => {
            setConfirm(null);
            if (confirm.kind === 'picked') {
              if (selected !== null && confirm.ids.includes(selected)) triage.openNextAfter(confirm.ids);
              await actions.deleteIds(confirm.ids);
              triage.clearSelection();
              return;
            }
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
              close();
            } catch (err) {
              setError(errorMessage(err));
            }
          }}
        >
          {confirm.kind === 'picked' ? (
            <p>The {countLabel(confirm.ids.length)} picked in the list {confirm.ids.length === 1 ? 'is' : 'are'} removed; other captured mail stays.</p>
          ) : plan.kind === 'all' ? (
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
