import { useCallback, useEffect, useState } from 'react';
import type { MessageDetail as MessageDetailAnswer } from '../../api/types.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { CopyButton } from '../../components/CopyButton.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { StateBadge } from '../../components/StateBadge.js';
import { useNow } from '../../hooks/useNow.js';
import { useShortcuts } from '../../hooks/useShortcuts.js';
import { errorMessage } from '../../lib/errors.js';
import { throttle } from '../../lib/throttle.js';
import { useRelay } from '../../state/relay-context.js';
import { eventsFromPayload } from '../queue/queue-events.js';
import { PayloadSummary } from './PayloadSummary.js';
import { Timeline } from './Timeline.js';

const RETRYABLE = new Set(['error', 'deferred']);

/** One message: where it stands, what it carries, everything that happened to it; retry and delete. */
export function MessageDetail({ id, tenantId = '', onClose }: { id: string; /** '' the default tenant */ tenantId?: string; onClose: () => void }) {
  const { api, events } = useRelay();
  const [data, setData] = useState<MessageDetailAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [gone, setGone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const now = useNow(1000);

  const load = useCallback(async () => {
    try {
      const d = await api.getMessage(id, tenantId);
      setData(d);
      setError(null);
      setGone(false);
    } catch (err) {
      if ((err as { status?: number }).status === 404) setGone(true);
      else setError(errorMessage(err));
    }
  }, [api, id, tenantId]);

  useEffect(() => {
    setData(null);
    setGone(false);
    setError(null);
    void load();
    const reload = throttle(() => void load(), 300);
    const off = events.on('messages', (payload) => {
      const evs = eventsFromPayload(payload);
      if (!evs || evs.some((e) => e.message_id === id && e.tenant_id === tenantId)) reload();
    });
    const offResync = events.on('resync', reload);
    return () => {
      off();
      offResync();
      reload.cancel();
    };
  }, [api, events, id, tenantId, load]);

  useShortcuts({ Escape: () => !confirmDelete && onClose() });

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await fn();
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const m = data?.message;
  return (
    <aside className="pane detail-pane" aria-label={`Message ${id}`}>
      <header className="detail-head">
        <div className="detail-title">
          <h2>{m ? m.subject || '(no subject)' : gone ? 'Message not found' : 'Loading…'}</h2>
          <div className="detail-sub">
            {m ? <StateBadge state={m.state} sandbox={m.sandbox} reportedTs={m.reported_ts} /> : null}
            <code className="muted" title="message id">
              {id}
            </code>
            <CopyButton text={id} what="message id" />
            {tenantId ? <span className="tenant-tag" title="tenant">{tenantId}</span> : null}
          </div>
        </div>
        <button type="button" className="btn btn-icon" onClick={onClose} aria-label="Close message detail" title="Close (Esc)">
          ×
        </button>
      </header>
      <div className="detail-actions">
        <button
          type="button"
          className="btn"
          disabled={!m || busy || !RETRYABLE.has(m.state)}
          title={m && !RETRYABLE.has(m.state) ? 'Only failed or deferred messages can be retried' : 'Queue it again now'}
          onClick={() => act(async () => {
            await api.retryMessage(id, tenantId);
            await load();
          })}
        >
          Retry now
        </button>
        <button type="button" className="btn btn-danger" disabled={!m || busy} onClick={() => setConfirmDelete(true)}>
          Delete
        </button>
      </div>
      <ErrorNote error={error} />
      {gone ? <p className="muted">This message no longer exists (deleted, or purged after its report).</p> : null}
      {m ? (
        <div className="detail-body">
          <section aria-labelledby="msg-timeline-h">
            <h3 id="msg-timeline-h">Lifecycle</h3>
            <Timeline events={data.timeline} now={now} />
          </section>
          <section aria-labelledby="msg-payload-h">
            <h3 id="msg-payload-h">Message</h3>
            <PayloadSummary message={m} now={now} />
          </section>
        </div>
      ) : null}
      {confirmDelete ? (
        <ConfirmDialog
          title="Delete this message?"
          confirmLabel="Delete"
          danger
          onCancel={() => setConfirmDelete(false)}
          onConfirm={() => {
            setConfirmDelete(false);
            void act(async () => {
              await api.deleteMessage(id, tenantId);
              onClose();
            });
          }}
        >
          <p>
            It is removed from the queue with its timeline{m && (m.state === 'queued' || m.state === 'deferred') ? ' and will not be sent' : ''}.
          </p>
        </ConfirmDialog>
      ) : null}
    </aside>
  );
}
