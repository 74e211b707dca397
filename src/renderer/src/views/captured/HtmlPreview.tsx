import { useMemo } from 'react';
import { usePreviewWidth, useRemoteAllowed } from '../../hooks/usePreviewState.js';
import type { CapturedAttachment } from '../../api/types.js';
import { useInlineParts } from './inline-parts.js';
import { buildPreviewDocument } from './preview-document.js';

const WIDTHS = [
  { key: 'mobile', label: 'Mobile', px: 375 },
  { key: 'tablet', label: 'Tablet', px: 768 },
  { key: 'desktop', label: 'Desktop', px: 1024 },
  { key: 'full', label: 'Full width', px: null },
] as const;
type WidthKey = (typeof WIDTHS)[number]['key'];

/**
 * The mail's HTML in a frame without scripts; remote content blocked until the user allows it. Inline
 * parts are fetched first (`loadPart`, token in a header) and shown as data: URLs.
 */
export function HtmlPreview({ html, attachments, loadPart, subject }: {
  html: string;
  attachments: readonly CapturedAttachment[];
  loadPart: (index: number) => Promise<Blob>;
  subject: string;
}) {
  const [allowRemote, setAllowRemote] = useRemoteAllowed(html);
  const [width, setWidth] = usePreviewWidth<WidthKey>('full');
  const parts = useInlineParts(html, attachments, loadPart);
  const preview = useMemo(
    () => (parts ? buildPreviewDocument({ html, allowRemote, cidUrl: (cid) => parts.get(cid) ?? null }) : null),
    [html, allowRemote, parts],
  );
  if (!preview) return <p className="muted pad">Loading preview…</p>;
  const px = WIDTHS.find((w) => w.key === width)?.px ?? null;

  return (
    <div className="html-preview">
      <div className="preview-toolbar">
        <div className="segmented" role="radiogroup" aria-label="Preview width">
          {WIDTHS.map((w) => (
            <button
              key={w.key}
              type="button"
              role="radio"
              aria-checked={width === w.key}
              className={width === w.key ? 'seg active' : 'seg'}
              onClick={() => setWidth(w.key)}
              title={w.px ? `${w.px} px` : 'fill the pane'}
            >
              {w.label}
            </button>
          ))}
        </div>
        {preview.remoteCount > 0 ? (
          allowRemote ? (
            <button type="button" className="btn btn-small" onClick={() => setAllowRemote(false)}>
              Block remote content
            </button>
          ) : (
            <div className="remote-note" role="status">
              <span>
                {preview.remoteCount} remote {preview.remoteCount === 1 ? 'resource' : 'resources'} blocked
              </span>
              <button type="button" className="btn btn-small" onClick={() => setAllowRemote(true)}>
                Load remote images
              </button>
            </div>
          )
        ) : null}
      </div>
      <div className="frame-wrap">
        <iframe
          title={`HTML preview: ${subject || 'message'}`}
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          referrerPolicy="no-referrer"
          srcDoc={preview.srcdoc}
          style={{ width: px ? `${px}px` : '100%' }}
        />
      </div>
    </div>
  );
}
