import { useCallback, useEffect, useState } from 'react';
import type { AttachmentPreview as Preview } from '../../../../shared/api/index.js';
import type { CapturedAttachment } from '../../api/types.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useObjectUrl } from '../../hooks/useObjectUrl.js';
import { errorMessage } from '../../lib/errors.js';
import '../../styles/captured-tools.css';

export type PreviewMode = 'image' | 'pdf' | 'summary';

/** How an attachment is previewed, or null: images and PDF from their bytes, text and calendars from the relay's summary. */
export function previewMode(a: Pick<CapturedAttachment, 'content_type' | 'filename'>): PreviewMode | null {
  const type = a.content_type.toLowerCase();
  const name = (a.filename ?? '').toLowerCase();
  // SVG may carry script: it is downloaded, never shown
  if (type.startsWith('image/') && type !== 'image/svg+xml') return 'image';
  if (type === 'application/pdf' || name.endsWith('.pdf')) return 'pdf';
  if (type.startsWith('text/') || type === 'application/ics' || type === 'application/json' || /\.(ics|txt|csv|log|json|xml|md)$/.test(name)) return 'summary';
  return null;
}

function BlobPreview({ mode, name, load }: { mode: 'image' | 'pdf'; name: string; load: () => Promise<Blob> }) {
  const pdfLoad = useCallback(async () => new Blob([await load()], { type: 'application/pdf' }), [load]);
  const url = useObjectUrl(mode === 'pdf' ? pdfLoad : load);
  if (!url) return <p className="muted pad">Loading…</p>;
  if (mode === 'image') return <img className="attachment-image" src={url} alt={name} />;
  // Chromium's PDF viewer refuses any sandboxed frame (a plugin): the blob's fixed type application/pdf is the guard,
  // so whatever the bytes are, only the viewer (its own process, no access to this page) ever reads them
  return <iframe className="attachment-pdf" src={url} title={`PDF preview: ${name}`} referrerPolicy="no-referrer" />;
}

function SummaryPreview({ load }: { load: () => Promise<Preview> }) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    load().then(
      (p) => live && setPreview(p),
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [load]);
  if (error) return <ErrorNote error={error} />;
  if (!preview) return <p className="muted pad">Loading…</p>;
  if (preview.kind === 'none') return <p className="muted pad">{preview.reason}</p>;
  if (preview.kind === 'text') {
    return (
      <>
        <pre className="attachment-text pre-wrap">{preview.text}</pre>
        {preview.truncated ? <p className="muted small">Only the start is shown: download the file for all of it.</p> : null}
      </>
    );
  }
  if (preview.events.length === 0) return <p className="muted pad">The calendar file holds no event.</p>;
  return (
    <div className="calendar-preview">
      {preview.events.map((e, i) => (
        <dl key={i} className="props compact" aria-label={`Event ${e.summary ?? i + 1}`}>
          <div>
            <dt>Event</dt>
            <dd>{e.summary ?? '(no title)'}</dd>
          </div>
          <div>
            <dt>Starts</dt>
            <dd>{e.start ?? '—'}</dd>
          </div>
          <div>
            <dt>Ends</dt>
            <dd>{e.end ?? '—'}</dd>
          </div>
          {e.location ? (
            <div>
              <dt>Where</dt>
              <dd>{e.location}</dd>
            </div>
          ) : null}
          <div>
            <dt>Organizer</dt>
            <dd>{e.organizer ?? '—'}</dd>
          </div>
          <div>
            <dt>Attendees</dt>
            <dd>{e.attendees.length ? e.attendees.join(', ') : '—'}</dd>
          </div>
          {e.method ? (
            <div>
              <dt>Method</dt>
              <dd>{e.method}</dd>
            </div>
          ) : null}
        </dl>
      ))}
    </div>
  );
}

/** The preview of one attachment, under the list. */
export function AttachmentPreviewPane({ attachment, mode, loadBlob, loadSummary, onClose }: {
  attachment: CapturedAttachment;
  mode: PreviewMode;
  loadBlob: () => Promise<Blob>;
  loadSummary: () => Promise<Preview>;
  onClose: () => void;
}) {
  const name = attachment.filename || `attachment-${attachment.index}`;
  return (
    <section className="attachment-preview" aria-label={`Preview of ${name}`}>
      <header>
        <strong>{name}</strong>
        <button type="button" className="btn btn-small" onClick={onClose}>
          Close preview
        </button>
      </header>
      {mode === 'summary' ? <SummaryPreview load={loadSummary} /> : <BlobPreview mode={mode} name={name} load={loadBlob} />}
    </section>
  );
}
