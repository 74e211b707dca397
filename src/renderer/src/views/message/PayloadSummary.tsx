import { useState, type ReactNode } from 'react';
import type { AttachmentView, MessageDetail } from '../../api/types.js';
import { formatBytes, formatDateTime, formatRelative, priorityName } from '../../lib/format.js';
import { routeHref } from '../../lib/router.js';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** Where an attachment comes from (the API sends a `source` summary instead of the base64 content). */
function attachmentSource(a: AttachmentView): string {
  if (a.url) return `url ${a.url}`;
  if (a.s3) return `s3://${a.s3.bucket}/${a.s3.key}`;
  if (a.source === 'content') return a.size ? `inline data, ${formatBytes(a.size)}` : 'inline data';
  return a.source;
}

/** What the application handed over, and where the message stands. */
export function PayloadSummary({ message: m, now }: { message: MessageDetail['message']; now: number }) {
  const [showBody, setShowBody] = useState(false);
  const p = m.payload;
  const body = p?.content_type === 'html' ? (p.body_text ?? p.body) : p?.body;
  return (
    <>
      <dl className="props">
        <Row label="From">{p?.from ?? m.from}</Row>
        <Row label="To">{p?.to?.join(', ') ?? m.to}</Row>
        {p?.cc?.length ? <Row label="Cc">{p.cc.join(', ')}</Row> : null}
        {p?.bcc?.length ? <Row label="Bcc">{p.bcc.join(', ')}</Row> : null}
        {p?.reply_to ? <Row label="Reply-To">{p.reply_to}</Row> : null}
        <Row label="Account">{m.account_id ?? '—'}</Row>
        <Row label="Priority">{priorityName(m.priority)}</Row>
        <Row label="Created">{formatDateTime(m.created_ts)}</Row>
        {m.state === 'deferred' && m.deferred_ts ? (
          <Row label="Next try">
            {formatDateTime(m.deferred_ts)} ({formatRelative(m.deferred_ts, now)}){m.deferred_reason ? ` — ${m.deferred_reason.replace('_', ' ')}` : ''}
          </Row>
        ) : null}
        {m.sent_ts ? <Row label="Sent">{formatDateTime(m.sent_ts)}{m.sandbox ? ' (sandbox)' : ''}</Row> : null}
        {m.error ? <Row label="Error">{m.error}</Row> : null}
        {m.reported_ts ? <Row label="Reported">{formatDateTime(m.reported_ts)}</Row> : null}
        <Row label="Attempts">
          {m.attempts}
          {m.retry_count ? ` (${m.retry_count} retries)` : ''}
        </Row>
        {m.smtp_message_id ? <Row label="Message-ID">{m.smtp_message_id}</Row> : null}
        {m.captured_id ? (
          <Row label="Captured copy">
            <a href={routeHref('captured', m.captured_id)}>open captured mail #{m.captured_id}</a>
          </Row>
        ) : null}
        {m.source_captured_id ? (
          <Row label="Released from">
            <a href={routeHref('captured', m.source_captured_id)}>captured mail #{m.source_captured_id}</a>
          </Row>
        ) : null}
        {p?.attachments?.length ? (
          <Row label="Attachments">
            <ul className="plain">
              {p.attachments.map((a, i) => (
                <li key={i}>
                  {a.filename ?? '(unnamed)'}
                  <span className="muted"> · {attachmentSource(a)}</span>
                </li>
              ))}
            </ul>
          </Row>
        ) : null}
        {p?.headers && Object.keys(p.headers).length ? (
          <Row label="Extra headers">
            <ul className="plain mono">
              {Object.entries(p.headers).map(([k, v]) => (
                <li key={k}>
                  {k}: {v}
                </li>
              ))}
            </ul>
          </Row>
        ) : null}
      </dl>
      {m.recipients?.length ? (
        <>
          <h4>Recipients</h4>
          <ul className="plain recipients">
            {m.recipients.map((r) => (
              <li key={r.address} className={r.accepted ? 'ok' : 'bad'}>
                {r.accepted ? '✓' : '✗'} {r.address}
                {r.code ? <span className="muted"> · {r.code} {r.response ?? ''}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {body ? (
        <div className="body-preview">
          <button type="button" className="btn btn-small" aria-expanded={showBody} onClick={() => setShowBody((v) => !v)}>
            {showBody ? 'Hide body' : `Show body (${p?.content_type === 'html' && !p.body_text ? 'HTML source' : 'text'})`}
          </button>
          {showBody ? <pre className="pre-wrap">{body}</pre> : null}
        </div>
      ) : null}
    </>
  );
}
