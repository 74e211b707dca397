import hljs from 'highlight.js/lib/core';
import xml from 'highlight.js/lib/languages/xml';
import { useMemo } from 'react';
import '../../styles/captured-tools.css';

hljs.registerLanguage('xml', xml);

/** Highlighting a huge body would freeze the tab: beyond this it is shown plain. */
const MAX_HIGHLIGHTED = 256 * 1024;

/** The HTML body as sent, decoded (no quoted-printable `=3D`, no base64), highlighted. */
export function HtmlSourceTab({ html }: { html: string }) {
  // highlight.js escapes the text it is given: its output holds only its own <span class> markup
  const highlighted = useMemo(() => (html.length <= MAX_HIGHLIGHTED ? hljs.highlight(html, { language: 'xml' }).value : null), [html]);
  return (
    <>
      {highlighted === null ? <p className="muted pad">Too large to highlight: shown as plain text.</p> : null}
      <pre className="html-source hljs" tabIndex={0} aria-label="Decoded HTML source">
        {highlighted === null ? <code>{html}</code> : <code dangerouslySetInnerHTML={{ __html: highlighted }} />}
      </pre>
    </>
  );
}
