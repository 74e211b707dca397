import type { CapturedSearch, SearchColumn } from '../records.js';
import { TAG_FILTER, tagPattern } from './captured-tags.js';

/** A LIKE pattern matching `text` anywhere, with `\` escaping its wildcards (Mailpit's LIKE %text%). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The search's positive and negated text terms, apart. */
export function splitTerms(search: CapturedSearch): { positive: CapturedSearch['terms']; negated: CapturedSearch['terms'] } {
  return { positive: search.terms.filter((t) => !t.negate), negated: search.terms.filter((t) => t.negate) };
}

/** The stored text each substring filter reads (bcc: the envelope recipients, checked against To/Cc by each backend). */
export const LIKE_COLUMN: Record<Exclude<SearchColumn, 'bcc'>, string> = {
  cc: 'c.cc_addrs',
  filename: 'c.filenames',
  message_id: "COALESCE(c.message_id, '')",
};

/** The exact filters on summary columns both backends write alike; `param` binds a value and returns its placeholder. */
export function columnFilters(s: CapturedSearch, param: (v: unknown) => string): string[] {
  const where: string[] = [];
  if (s.mailbox !== undefined) where.push(`c.mailbox = ${param(s.mailbox)}`);
  for (const m of s.not_mailboxes ?? []) where.push(`(c.mailbox IS NULL OR c.mailbox <> ${param(m)})`);
  if (s.tenant !== undefined) where.push(`c.relay_tenant_id = ${param(s.tenant)}`);
  for (const t of s.not_tenants ?? []) where.push(`(c.relay_tenant_id IS NULL OR c.relay_tenant_id <> ${param(t)})`);
  for (const t of s.tags ?? []) where.push(TAG_FILTER(param(tagPattern(t))));
  for (const t of s.not_tags ?? []) where.push(`NOT ${TAG_FILTER(param(tagPattern(t)))}`);
  // a literal, not a parameter: the planner can then use the partial index of unread rows
  if (s.read !== undefined) where.push(`c.is_read = ${s.read ? 1 : 0}`);
  if (s.has_attachments !== undefined) where.push(s.has_attachments ? 'c.attachments > 0' : 'c.attachments = 0');
  if (s.received_after !== undefined) where.push(`c.received_ts >= ${param(s.received_after)}`);
  if (s.received_before !== undefined) where.push(`c.received_ts <= ${param(s.received_before)}`);
  if (s.larger_than !== undefined) where.push(`c.size > ${param(s.larger_than)}`);
  if (s.smaller_than !== undefined) where.push(`c.size < ${param(s.smaller_than)}`);
  return where;
}
