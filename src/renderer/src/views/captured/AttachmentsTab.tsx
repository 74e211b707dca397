import { useState } from 'react';
import type { CapturedAttachment } from '../../api/types.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { safeFilename, saveBlob } from '../../lib/clipboard.js';
import { errorMessage } from '../../lib/errors.js';
import { formatBytes } from '../../lib/format.js';

function extension(name: string): string {
  const m = /\.([A-Za-z0-9]{1,5})$/.exec(name);
  return m ? m[1].toUpperCase() : 'FILE';
}

export function AttachmentsTab({ attachments, url, download }: {
  attachments: CapturedAttachment[];
  url: (index: number) => string;
  download: (index: number) => Promise<Blob>;
}) {
  const [error, setError] = useState<string | null>(null);
  if (attachments.length === 0) return <p className="muted pad">No attachments.</p>;
  return (
    <>
      <ErrorNote error={error} />
      <ul className="attachments">
        {attachments.map((a) => {
          const name = a.filename || `attachment-${a.index}`;
          const isImage = a.content_type.startsWith('image/') && a.content_type !== 'image/svg+xml';
          return (
            <li key={a.index}>
              {isImage ? <img src={url(a.index)} alt={name} loading="lazy" className="thumb" /> : <span className="thumb file-icon" aria-hidden="true">{extension(name)}</span>}
              <div className="att-meta">
                <strong>{name}</strong>
                <span className="muted">
                  {a.content_type} · {formatBytes(a.size)}
                  {a.cid ? ` · inline (cid:${a.cid.replace(/^<|>$/g, '')})` : ''}
                </span>
              </div>
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
    </>
  );
}
