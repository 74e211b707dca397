import { useCallback, useState } from 'react';
import type { AttachmentPreview } from '../../../../shared/api/index.js';
import type { CapturedAttachment } from '../../api/types.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useObjectUrl } from '../../hooks/useObjectUrl.js';
import { safeFilename, saveBlob } from '../../lib/clipboard.js';
import { errorMessage } from '../../lib/errors.js';
import { formatBytes } from '../../lib/format.js';
import { AttachmentPreviewPane, previewMode } from './AttachmentPreview.js';

function extension(name: string): string {
  const m = /\.([A-Za-z0-9]{1,5})$/.exec(name);
  return m ? m[1].toUpperCase() : 'FILE';
}

/** An image attachment's thumbnail, fetched with the token in a header and shown from a blob: URL. */
function Thumbnail({ index, name, load }: { index: number; name: string; load: (index: number) => Promise<Blob> }) {
  const url = useObjectUrl(useCallback(() => load(index), [load, index]));
  return url ? <img src={url} alt={name} className="thumb" /> : <span className="thumb" aria-hidden="true" />;
}

export function AttachmentsTab({ attachments, download, preview }: {
  attachments: readonly CapturedAttachment[];
  /** fetches an attachment (thumbnails and downloads) */
  download: (index: number) => Promise<Blob>;
  /** the relay's preview of a text or calendar attachment */
  preview?: (index: number) => Promise<AttachmentPreview>;
}) {
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const loadBlob = useCallback(() => download(open ?? 0), [download, open]);
  const loadSummary = useCallback(() => (preview ? preview(open ?? 0) : Promise.reject(new Error('no preview'))), [preview, open]);
  if (attachments.length === 0) return <p className="muted pad">No attachments.</p>;
  const opened = attachments.find((a) => a.index === open);
  const openedMode = opened ? previewMode(opened) : null;
  return (
    <>
      <ErrorNote error={error} />
      <ul className="attachments">
        {attachments.map((a) => {
          const name = a.filename || `attachment-${a.index}`;
          const isImage = a.content_type.startsWith('image/') && a.content_type !== 'image/svg+xml';
          const mode = previewMode(a);
          return (
            <li key={a.index}>
              {isImage ? <Thumbnail index={a.index} name={name} load={download} /> : <span className="thumb file-icon" aria-hidden="true">{extension(name)}</span>}
              <div className="att-meta">
                <strong>{name}</strong>
                <span className="muted">
                  {a.content_type} · {formatBytes(a.size)}
                  {a.cid ? ` · inline (cid:${a.cid.replace(/^<|>$/g, '')})` : ''}
                </span>
              </div>
              {mode && (mode !== 'summary' || preview) ? (
                <button type="button" className="btn btn-small" aria-label={`Preview ${name}`} aria-pressed={open === a.index} onClick={() => setOpen(open === a.index ? null : a.index)}>
                  Preview
                </button>
              ) : null}
              <button
                type="button"
                className="btn btn-small"
                aria-label={`Download ${name}`}
                onClick={async () => {
                  try {
                    saveBlob(await download(a.index), safeFilename(name, `attachment-${a.index}`));
                    setError(null);
                  } catch (err) {
                    setError(errorMessage(err));
                  }
                }}
              >
                Download
              </button>
            </li>
          );
        })}
      </ul>
      {opened && openedMode ? (
        <AttachmentPreviewPane key={opened.index} attachment={opened} mode={openedMode} loadBlob={loadBlob} loadSummary={loadSummary} onClose={() => setOpen(null)} />
      ) : null}
    </>
  );
}
