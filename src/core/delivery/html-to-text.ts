import { compile, type HtmlToTextOptions } from 'html-to-text';

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

/** A readable plain-text alternative of an HTML body (html-to-text: every entity, any attribute quoting). */
export const htmlToText: (html: string) => string = compile(OPTIONS);
