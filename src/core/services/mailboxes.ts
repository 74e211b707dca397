import { mailboxDeleteQuery, mailboxQuery, mailboxParams, type MailboxDeleted, type MailboxList } from '../../shared/api/mailboxes.js';
import { describeIssues } from '../../shared/api/common.js';
import { badRequest } from '../errors.js';
import type { CapturedPort } from '../store/ports.js';
import type { CapturedService } from './captured.js';

/** Mailboxes of the captured mail (#18.4): by SMTP AUTH username, by queue tenant, by tag. */
export interface MailboxesService {
  list(): Promise<MailboxList>;
  /** deletes the mail of that mailbox only (400 for an empty or overlong name, or an unknown kind) */
  remove(name: unknown, query?: unknown): Promise<MailboxDeleted>;
}

export function createMailboxesService(deps: { captured: Pick<CapturedPort, 'mailboxes'>; capturedService: Pick<CapturedService, 'remove'> }): MailboxesService {
  return {
    async list() {
      const { users, tenants, tags } = await deps.captured.mailboxes();
      return { items: users, tenants, tags };
    },
    async remove(name, query = {}) {
      const r = mailboxParams.safeParse({ name });
      if (!r.success) throw badRequest(describeIssues(r.error));
      const q = mailboxDeleteQuery.safeParse(query);
      if (!q.success) throw badRequest(describeIssues(q.error));
      return { ok: true, removed: await deps.capturedService.remove({ q: mailboxQuery(r.data.name, q.data.kind) }) };
    },
  };
}
