import { z } from 'zod';
import { json, RELAY_401, RELAY_403, relayFail, type ApiRoute } from './route-kit.js';

/** Captured mail grouped by SMTP AUTH username (#18.4); `mailbox: null` is the mail sent without AUTH. */
export const mailboxSummary = z
  .object({ mailbox: z.string().nullable(), total: z.number().int(), unread: z.number().int() })
  .strict()
  .meta({ id: 'MailboxSummary' });
export type MailboxSummary = z.infer<typeof mailboxSummary>;

/** A tenant mailbox (mail that came through the queue for that tenant) or a tag mailbox (X-Tags, plus-address tags). */
export const mailboxCount = z.object({ name: z.string(), total: z.number().int(), unread: z.number().int() }).strict().meta({ id: 'MailboxCount' });
export type MailboxCount = z.infer<typeof mailboxCount>;

export const mailboxList = z
  .object({
    /** by SMTP username */
    items: z.array(mailboxSummary),
    tenants: z.array(mailboxCount),
    tags: z.array(mailboxCount),
  })
  .strict()
  .meta({ id: 'MailboxList' });
export type MailboxList = z.infer<typeof mailboxList>;

export const mailboxKind = z.enum(['user', 'tenant', 'tag']);
export type MailboxKind = z.infer<typeof mailboxKind>;

export const mailboxParams = z.object({ name: z.string().min(1).max(200) });
/** DELETE /api/mailboxes/{name}?kind=…: which grouping the name is of (default: SMTP username) */
export const mailboxDeleteQuery = z.object({ kind: mailboxKind.default('user') }).strict();
export const mailboxDeleted = z.object({ ok: z.literal(true), removed: z.number().int() }).strict().meta({ id: 'MailboxDeleted' });
export type MailboxDeleted = z.infer<typeof mailboxDeleted>;

const OPERATOR: Record<MailboxKind, string> = { user: 'mailbox', tenant: 'tenant', tag: 'tag' };

/** The captured view filters a mailbox with this search (GET /api/captured?q=…). */
export const mailboxQuery = (name: string, kind: MailboxKind = 'user'): string => `${OPERATOR[kind]}:"${name.replaceAll('"', '')}"`;

const ADMIN = { ...RELAY_401, ...RELAY_403 };

export const MAILBOX_ROUTES: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/api/mailboxes',
    summary: 'Captured mail by mailbox (SMTP username), by tenant and by tag, with unread counts',
    responses: { 200: json(mailboxList, 'mailboxes'), ...ADMIN },
  },
  {
    method: 'delete',
    path: '/api/mailboxes/{name}',
    summary: "Delete a mailbox's captured mail, only its own (`kind`: user, tenant or tag)",
    request: { params: mailboxParams, query: mailboxDeleteQuery },
    responses: { 200: json(mailboxDeleted, 'deleted'), 400: relayFail('invalid name or kind'), ...ADMIN },
  },
];
