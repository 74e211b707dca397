import { z } from 'zod';
import { json, RELAY_401, RELAY_403, relayFail, type ApiRoute } from './route-kit.js';

/** Captured mail grouped by SMTP AUTH username (#18.4); `mailbox: null` is the mail sent without AUTH. */
export const mailboxSummary = z
  .object({ mailbox: z.string().nullable(), total: z.number().int(), unread: z.number().int() })
  .strict()
  .meta({ id: 'MailboxSummary' });
export type MailboxSummary = z.infer<typeof mailboxSummary>;

export const mailboxList = z.object({ items: z.array(mailboxSummary) }).strict().meta({ id: 'MailboxList' });
export type MailboxList = z.infer<typeof mailboxList>;

export const mailboxParams = z.object({ name: z.string().min(1).max(200) });
export const mailboxDeleted = z.object({ ok: z.literal(true), removed: z.number().int() }).strict().meta({ id: 'MailboxDeleted' });
export type MailboxDeleted = z.infer<typeof mailboxDeleted>;

/** The captured view filters a mailbox with this search (GET /api/captured?q=…). */
export const mailboxQuery = (name: string): string => `mailbox:"${name.replaceAll('"', '')}"`;

const ADMIN = { ...RELAY_401, ...RELAY_403 };

export const MAILBOX_ROUTES: readonly ApiRoute[] = [
  { method: 'get', path: '/api/mailboxes', summary: 'Captured mail by mailbox (SMTP username), with unread counts', responses: { 200: json(mailboxList, 'mailboxes'), ...ADMIN } },
  {
    method: 'delete',
    path: '/api/mailboxes/{name}',
    summary: "Delete a mailbox's captured mail, only its own",
    request: { params: mailboxParams },
    responses: { 200: json(mailboxDeleted, 'deleted'), 400: relayFail('invalid name'), ...ADMIN },
  },
];
