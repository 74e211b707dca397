import { useCallback, useEffect, useState } from 'react';
import type { CapturedListItem } from '../../api/types.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { Snippet } from '../../components/Snippet.js';
import { VirtualList } from '../../components/VirtualList.js';
import { useNow } from '../../hooks/useNow.js';
import { errorMessage } from '../../lib/errors.js';
import { formatNumber } from '../../lib/format.js';
import { navigate, type Route } from '../../lib/router.js';
import { debounce } from '../../lib/throttle.js';
import { useRelay } from '../../state/relay-context.js';
import { useAccounts } from '../../state/useAccounts.js';
import { useConnectionInfo } from '../../state/useConnectionInfo.js';
import { smtpEnvSnippet, smtpSnippet } from '../settings/connection-info.js';
import { CapturedDetail } from './CapturedDetail.js';
import { CapturedRow } from './CapturedRow.js';
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
  const { api, patchStats } = useRelay();
  const q = route.params.q ?? '';
  const [search, setSearch] = useState(q);
  const { list, snapshot } = useCapturedList(q);
  const { accounts } = useAccounts();
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
  const unread = snapshot.items.reduce((n, c) => n + (c.read ? 0 : 1), 0);

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
            {formatNumber(snapshot.items.length)}
            {snapshot.hasMore ? '+' : ''} · {unread} unread
          </span>
          <button type="button" className="btn btn-small btn-danger" disabled={snapshot.items.length === 0} onClick={() => setConfirmClear(true)}>
            Delete all
          </button>
        </form>
        <ErrorNote error={error ?? snapshot.error} />
        {snapshot.loaded && snapshot.items.length === 0 ? (
          <CapturedEmpty searching={!!q} />
        ) : (
          <VirtualList
            items={snapshot.items}
            keyOf={keyOf}
            rowHeight={ROW_HEIGHT}
            hasMore={snapshot.hasMore}
            loading={snapshot.loading}
            onLoadMore={loadMore}
            selectedKey={selected}
            onOpen={openItem}
            label="Captured messages"
            renderRow={(c, ctx) => <CapturedRow item={c} active={ctx.active} selected={ctx.selected} rowId={ctx.rowId} now={now} onOpen={open} />}
          />
        )}
      </section>
      {selected !== null ? (
        <CapturedDetail
          key={selected}
          id={selected}
          accounts={accounts}
          onClose={() => navigate('captured', undefined, { q: q || undefined })}
          onOpened={markRead}
          onDeleted={(id) => {
            list.remove([id]);
            navigate('captured', undefined, { q: q || undefined });
          }}
        />
      ) : null}
      {confirmClear ? (
        <ConfirmDialog
          title="Delete all captured mail?"
          confirmLabel="Delete all"
          danger
          onCancel={() => setConfirmClear(false)}
          onConfirm={async () => {
            setConfirmClear(false);
            try {
              await api.deleteAllCaptured();
              list.clear();
              patchStats((s) => ({ ...s, captured: { ...s.captured, total: 0, unread: 0 } }));
              setError(null);
              navigate('captured');
            } catch (err) {
              setError(errorMessage(err));
            }
          }}
        >
          <p>Every message the sandbox has captured is removed. Queued messages are not affected.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
