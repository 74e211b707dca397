import { mailboxQuery, mailboxParams, type MailboxDeleted, type MailboxList } from '../../shared/api/mailboxes.js';
import { describeIssues } from '../../shared/api/common.js';
import { badRequest } from '../errors.js';
import type { CapturedPort } from '../store/ports.js';
import type { CapturedService } from './captured.js';

/** Mailboxes of the captured mail (#18.4): by SMTP AUTH username. */
export interface MailboxesService {
  list(): Promise<MailboxList>;
  /** deletes the mail of that mailbox only (400 for an empty or overlong name) */
  remove(name: unknown): Promise<MailboxDeleted>;
}

export function createMailboxesService(deps: { captured: Pick<CapturedPort, 'mailboxes'>; capturedService: Pick<CapturedService, 'remove'> }): MailboxesService {
  return {
    list: async () => ({ items: await deps.captured.mailboxes() }),
    async remove(name) {
      const r = mailboxParams.safeParse({ name });
      if (!r.success) throw badRequest(describeIssues(r.error));
      return { ok: true, removed: await deps.capturedService.remove({ q: mailboxQuery(r.data.name) }) };
    },
  };
}
