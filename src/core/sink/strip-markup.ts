/**
 * Markup dropped from HTML for search text, in linear time: every span is found with indexOf or a
 * forward search from where the last one ended. A lazy `<x[\s\S]*?</x>` regex rescans to the end
 * from each unclosed opening, so 128 KB of `<` or `<!--` took seconds (issue #21).
 */

const ELEMENT_OPEN = /<(style|script|head)\b/gi;

/** `<style>`, `<script>` and `<head>` elements with their content, each replaced by a space */
function dropElements(html: string): string {
  const unclosed = new Set<string>();
  const open = new RegExp(ELEMENT_OPEN.source, ELEMENT_OPEN.flags);
  let out = '';
  let from = 0;
  for (let m = open.exec(html); m; m = open.exec(html)) {
    const name = m[1].toLowerCase();
    // no closer after this opening means none after any later one either
    if (unclosed.has(name)) continue;
    const close = new RegExp(`</${name}\\s*>`, 'gi');
    close.lastIndex = open.lastIndex;
    if (!close.exec(html)) {
      unclosed.add(name);
      continue;
    }
    out += `${html.slice(from, m.index)} `;
    from = open.lastIndex = close.lastIndex;
  }
  return out + html.slice(from);
}

/** each span from `start` to the next `end` after it replaced by a space; an unclosed span stays */
function dropSpans(text: string, start: string, end: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const i = text.indexOf(start, from);
    if (i < 0) break;
    const j = text.indexOf(end, i + start.length);
    if (j < 0) break;
    out += `${text.slice(from, i)} `;
    from = j + end.length;
  }
  return out + text.slice(from);
}

/** HTML without style/script/head elements, comments and tags (each replaced by a space), not decoded */
export function stripMarkup(html: string): string {
  const noElements = dropElements(html)
    // as in a browser, an unclosed style or script runs to the end (here: of a clipped document)
    .replace(/<(style|script)\b[\s\S]*$/i, ' ');
  return dropSpans(dropSpans(noElements, '<!--', '-->'), '<', '>');
}
