import { allValues, readHeaderBlock } from '../header-block.js';

const X_TAGS: ReadonlySet<string> = new Set(['x-tags']);
const MAX_TAG = 100;
const MAX_TAGS = 50;

/** `user+tag@host` -> `tag` (Mailpit's plus-address tags) */
export function plusTag(address: string): string | null {
  const at = address.lastIndexOf('@');
  const local = at < 0 ? address : address.slice(0, at);
  const plus = local.indexOf('+');
  return plus >= 0 && plus < local.length - 1 ? local.slice(plus + 1) : null;
}

/** The message's tags: every comma-separated X-Tags value, then the plus-address tags of the recipients; de-duplicated. */
export function messageTags(raw: Buffer, recipients: readonly string[]): string[] {
  return tagsOf(allValues(readHeaderBlock(raw, 0, raw.length, X_TAGS, 4096, X_TAGS), 'x-tags'), recipients);
}

/** messageTags() from the X-Tags values a scan of the header block already read. */
export function tagsOf(xTags: readonly string[], recipients: readonly string[]): string[] {
  const tags = xTags.flatMap((v) => v.split(','));
  for (const r of recipients) tags.push(plusTag(r) ?? '');
  const seen = new Set<string>();
  for (const t of tags) {
    const tag = t.trim().slice(0, MAX_TAG);
    if (tag && seen.size < MAX_TAGS) seen.add(tag);
  }
  return [...seen];
}
