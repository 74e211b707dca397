import { useCallback, useEffect, useMemo, useState } from 'react';
import type { CapturedDetail as Detail } from '../../api/types.js';
import { CollapsedList } from '../../components/CollapsedList.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { Tabs } from '../../components/Tabs.js';
import { useShortcuts } from '../../hooks/useShortcuts.js';
import { safeFilename, saveBlob } from '../../lib/clipboard.js';
import { errorMessage } from '../../lib/errors.js';
import { formatBytes, formatDateTime, recipients } from '../../lib/format.js';
import { routeHref } from '../../lib/router.js';
import { useRelay } from '../../state/relay-context.js';
import { useAccounts } from '../../state/useAccounts.js';
import { previewAttachment } from '../../api/captured-tools.js';
import { AttachmentsTab } from './AttachmentsTab.js';
import { HeadersTab } from './HeadersTab.js';
import { HtmlCheckTab } from './HtmlCheckTab.js';
import { HtmlPreview } from './HtmlPreview.js';
import { HtmlSourceTab } from './HtmlSourceTab.js';
import { LinkCheckTab } from './LinkCheckTab.js';
import { RawTab } from './RawTab.js';
import { ReleaseControl } from './ReleaseControl.js';

type TabKey = 'html' | 'source' | 'check' | 'links' | 'text' | 'headers' | 'raw' | 'attachments';

/** One captured mail: preview, text, headers, source, attachments; download, delete, release. */
export function CapturedDetail({ id, onClose, onDelete, onOpened }: {
  id: number;
  onClose: () => void;
  /** deletes it (the view offers an undo for a few seconds) */
  onDelete: (id: number, subject: string) => void;
  onOpened: (id: number) => void;
}) {
  const { api } = useRelay();
  // read when the mail opens: the release offers a healthy account, and backoffs come and go unannounced
  const { accounts } = useAccounts();
  const [mail, setMail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<TabKey>('html');

  useEffect(() => {
    let live = true;
    setMail(null);
    setError(null);
    api.getCaptured(id).then(
      (m) => {
        if (!live) return;
        setMail(m);
        setTab(m.html ? 'html' : 'text');
        onOpened(id);
      },
      (err) => live && setError((err as { status?: number }).status === 404 ? 'This mail no longer exists.' : errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [api, id, onOpened]);

  useShortcuts({ Escape: () => onClose() });

  const attachments = useMemo(() => mail?.attachments ?? [], [mail]);
  const loadAttachment = useCallback((index: number) => api.attachmentBlob(id, index), [api, id]);
  const loadRaw = useCallback(() => api.capturedRaw(id), [api, id]);
  const loadPreview = useCallback((index: number) => previewAttachment(api, id, index), [api, id]);
  const to = recipients(mail?.to ?? '');

  const tabs: { key: TabKey; label: string }[] = [
    { key: 'html', label: 'HTML' },
    // the HTML tools need an HTML body
    ...(mail?.html
      ? ([
          { key: 'source', label: 'HTML source' },
          { key: 'check', label: 'HTML check' },
          { key: 'links', label: 'Link check' },
        ] as const)
      : []),
    { key: 'text', label: 'Text' },
    { key: 'headers', label: 'Headers' },
    { key: 'raw', label: 'Raw' },
    { key: 'attachments', label: `Attachments (${attachments.length})` },
  ];

  const downloadEml = async () => {
    try {
      saveBlob(await api.capturedRawBlob(id), `${safeFilename(mail?.subject || '', `message-${id}`)}.eml`);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <aside className="pane detail-pane captured-detail" aria-label={`Captured mail ${id}`}>
      <header className="detail-head">
        <div className="detail-title">
          <h2>{mail ? mail.subject || '(no subject)' : error ? 'Not available' : 'Loading…'}</h2>
          {mail ? (
            <dl className="props compact">
              <div>
                <dt>From</dt>
                <dd>{mail.from}</dd>
              </div>
              <div>
                <dt>To</dt>
                <dd><CollapsedList items={mail.to} /></dd>
              </div>
              <div>
                <dt>Received</dt>
                <dd>
                  {formatDateTime(mail.received_ts)} · {formatBytes(mail.size)}
                  {mail.mailbox ? ` · mailbox ${mail.mailbox}` : ''}
                </dd>
              </div>
              {mail.cc?.length ? (
                <div>
                  <dt>Cc</dt>
                  <dd><CollapsedList items={mail.cc} /></dd>
                </div>
              ) : null}
              {mail.mail_from !== undefined || mail.rcpt_to ? (
                <div>
                  <dt>Envelope</dt>
                  <dd>
                    MAIL FROM &lt;{mail.mail_from ?? ''}&gt; → RCPT TO <CollapsedList items={(mail.rcpt_to ?? []).map((r) => `<${r}>`)} />
                    {mail.tls ? ' · TLS' : ''}
                    {mail.remote_address ? ` · from ${mail.remote_address}` : ''}
                  </dd>
                </div>
              ) : null}
              {mail.relay_message_id ? (
                <div>
                  <dt>Queued as</dt>
                  <dd>
                    <a href={routeHref('queue', mail.relay_message_id)}>{mail.relay_message_id}</a>
                  </dd>
                </div>
              ) : null}
            </dl>
          ) : null}
        </div>
        <button type="button" className="btn btn-icon" onClick={onClose} aria-label="Close captured mail" title="Close (Esc)">
          ×
        </button>
      </header>
      {mail ? (
        <div className="detail-actions">
          <button type="button" className="btn" onClick={downloadEml}>
            Download .eml
          </button>
          <button type="button" className="btn btn-danger" onClick={() => onDelete(id, mail.subject)}>
            Delete
          </button>
          <ReleaseControl
            accounts={accounts}
            recipients={to}
            onRelease={async (accountId) => {
              try {
                const r = await api.releaseCaptured(id, accountId);
                setError(null);
                return r.id;
              } catch (err) {
                setError(errorMessage(err));
                return null;
              }
            }}
          />
        </div>
      ) : null}
      <ErrorNote error={error} />
      {mail?.parse_error ? <p className="error-note">The source could not be parsed as MIME: {mail.parse_error}</p> : null}
      {mail ? (
        <>
          <Tabs tabs={tabs} active={tab} onChange={setTab} idBase={`cap-${id}`} label="Message parts" />
          <div className="tab-panel" role="tabpanel" id={`cap-${id}-panel`} aria-labelledby={`cap-${id}-tab-${tab}`}>
            {tab === 'html' ? (
              mail.html ? (
                <HtmlPreview
                  html={mail.html}
                  attachments={attachments}
                  loadPart={loadAttachment}
                  subject={mail.subject ?? ''}
                />
              ) : (
                <p className="muted pad">This message has no HTML part.</p>
              )
            ) : null}
            {tab === 'source' && mail.html ? <HtmlSourceTab html={mail.html} /> : null}
            {tab === 'check' ? <HtmlCheckTab id={id} /> : null}
            {tab === 'links' ? <LinkCheckTab id={id} /> : null}
            {tab === 'text' ? (
              mail.text ? <pre className="pre-wrap text-body">{mail.text}</pre> : <p className="muted pad">This message has no text part.</p>
            ) : null}
            {tab === 'headers' ? <HeadersTab headers={mail.headers} /> : null}
            {tab === 'raw' ? <RawTab load={loadRaw} /> : null}
            {tab === 'attachments' ? (
              <AttachmentsTab attachments={attachments} download={loadAttachment} preview={loadPreview} />
            ) : null}
          </div>
        </>
      ) : null}
    </aside>
  );
}
