import type { CapturedMailboxes, MailboxCount } from '../records.js';

/**
 * Tags of captured mail (#18.4), stored in one column as `|a|b|` so both backends filter them with the
 * same LIKE (a whole tag, case-insensitive) and group them without a side table. NULL: no tags.
 */
const SEP = '|';

/** The column value of a message's tags (the separator cannot occur in a tag). */
export function tagsColumn(tags: readonly string[] | undefined): string | null {
  const clean = (tags ?? []).map((t) => t.replaceAll(SEP, ' ').trim()).filter(Boolean);
  return clean.length ? `${SEP}${clean.join(SEP)}${SEP}` : null;
}

export function tagsOf(column: string | null): string[] {
  return column ? column.split(SEP).filter(Boolean) : [];
}

/** LIKE pattern (escape `\`) of one whole tag in the lower-cased column. */
export function tagPattern(tag: string): string {
  const t = tag.replaceAll(SEP, ' ').trim().toLowerCase();
  return `%${SEP}${t.replace(/[\\%_]/g, (c) => `\\${c}`)}${SEP}%`;
}

export const TAG_FILTER = (placeholder: string) => `LOWER(COALESCE(c.tags, '')) LIKE ${placeholder} ESCAPE '\\'`;

/** Per-tag counts from per-tag-set counts (the GROUP BY tags rows): tags compared case-insensitively, the first spelling (by code unit) named. */
export function tagCounts(rows: readonly { tags: string; total: number; unread: number }[]): MailboxCount[] {
  const by = new Map<string, MailboxCount>();
  // rows come in no set order: the same spelling wins on both backends
  const sorted = [...rows].sort((a, b) => (a.tags < b.tags ? -1 : a.tags > b.tags ? 1 : 0));
  for (const r of sorted) {
    for (const tag of new Set(tagsOf(r.tags))) {
      const key = tag.toLowerCase();
      const c = by.get(key) ?? { name: tag, total: 0, unread: 0 };
      c.total += Number(r.total);
      c.unread += Number(r.unread);
      by.set(key, c);
    }
  }
  return [...by.values()].sort((a, b) => a.name.localeCompare(b.name));
}

type Counted = { total: number | string; unread: number | string | null };
const n = (v: number | string | null) => Number(v ?? 0);

/** The three groupings from the rows of the three GROUP BY queries. */
export function capturedMailboxes(
  users: readonly (Counted & { mailbox: string | null })[],
  tenants: readonly (Counted & { tenant: string })[],
  tags: readonly (Counted & { tags: string })[],
): CapturedMailboxes {
  return {
    users: users.map((r) => ({ mailbox: r.mailbox, total: n(r.total), unread: n(r.unread) })),
    tenants: tenants.map((r) => ({ name: r.tenant, total: n(r.total), unread: n(r.unread) })).sort((a, b) => a.name.localeCompare(b.name)),
    tags: tagCounts(tags.map((r) => ({ tags: r.tags, total: n(r.total), unread: n(r.unread) }))),
  };
}

/** The three GROUP BY queries (`unread`: the backend's count of unread rows). */
export function mailboxQueries(unread: string): { users: string; tenants: string; tags: string } {
  return {
    users: `SELECT mailbox, COUNT(*) AS total, ${unread} AS unread FROM captured GROUP BY mailbox ORDER BY mailbox IS NULL, mailbox`,
    tenants: `SELECT relay_tenant_id AS tenant, COUNT(*) AS total, ${unread} AS unread FROM captured WHERE relay_tenant_id IS NOT NULL GROUP BY relay_tenant_id ORDER BY relay_tenant_id`,
    tags: `SELECT tags, COUNT(*) AS total, ${unread} AS unread FROM captured WHERE tags IS NOT NULL GROUP BY tags`,
  };
}
