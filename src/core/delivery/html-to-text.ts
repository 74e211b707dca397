import { createRequire } from 'node:module';
import type * as HtmlToText from 'html-to-text';
import type { HtmlToTextOptions } from 'html-to-text';

/**
 * The layout of the text alternative: no wrapping (the reader's client wraps), headings as written,
 * at most one blank line between blocks, links as `label (url)` (mailto: links by their label),
 * `- ` list items, tables in aligned columns, images left out; a non-breaking space is a space.
 */
const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  whitespaceCharacters: ' \t\r\n\f\u200b\u00a0',
  selectors: [
    { selector: 'h1', options: { uppercase: false, leadingLineBreaks: 2 } },
    ...['h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'a', options: { linkBrackets: ['(', ')'], hideLinkHrefIfSameAsText: true } },
    { selector: 'a[href^="mailto:"]', format: 'inline' },
    { selector: 'ul', options: { itemPrefix: '- ' } },
    { selector: 'table', format: 'dataTable', options: { maxColumnWidth: Infinity, uppercaseHeaderCells: false } },
    { selector: 'img', format: 'skip' },
  ],
};

let compiled: ((html: string) => string) | null = null;

/**
 * A readable plain-text alternative of an HTML body (html-to-text: every entity, any attribute quoting).
 * The library loads on the first HTML message, not at start (it and its parser cost ~30 ms and 4 MiB).
 */
export function htmlToText(html: string): string {
  compiled ??= (createRequire(import.meta.url)('html-to-text') as typeof HtmlToText).compile(OPTIONS);
  return compiled(html);
}
