import type {
  MailpitHeaders,
  MailpitInfo,
  MailpitMessage,
  MailpitMessages,
  MailpitSendAnswer,
  MailpitSendBody,
  MailpitSummary,
} from '../../shared/api/mailpit.js';
import { describeIssues } from '../../shared/api/common.js';
import { sendBody } from '../../shared/api/send.js';
import type { Clock } from '../clock.js';
import { badRequest, notFound } from '../errors.js';
import { inspectMessage } from '../sink/inspect.js';
import { addresses, parseAddresses } from '../sink/summary.js';
import type { CapturedPort, CapturedSummary } from '../store/ports.js';
import { RELAY_VERSION } from '../version.js';
import type { AccountsService } from './accounts.js';
import type { CapturedAttachment, CapturedService } from './captured.js';
import { bareMessageId, mailpitAddress, mailpitAttachment, mailpitHeaders, mailpitSummary, releaseAddress, rfc3339, sendBodyOf, tagsOf, unsubscribeLinks } from './mailpit-views.js';
import { ADMIN } from './scope.js';
import type { SendService } from './send.js';

/** Mailpit API v1 over the captured mail (a second face of the captured service; ids are captured ids as strings). */
export interface MailpitService {
  /** newest first; `query` narrows to a search: then `messages_count` counts the matches */
  list(q: { start: number; limit: number; query?: string; tz?: string }): Promise<MailpitMessages>;
  /** the IDs, else the search's matches, else every message */
  setRead(sel: { read: boolean; ids?: string[]; search?: string }): Promise<void>;
  /** the IDs, else the search's matches, else every message */
  delete(sel: { ids?: string[]; search?: string; tz?: string }): Promise<void>;
  /** `id` may be `latest`; marks the message read */
  message(id: string): Promise<MailpitMessage>;
  headers(id: string): Promise<MailpitHeaders>;
  raw(id: string): Promise<Buffer>;
  part(id: string, partId: string): Promise<CapturedAttachment>;
  /** delivers to `to` through `accountId`, else the default tenant's only account */
  release(id: string, to: string[], accountId?: string): Promise<void>;
  /** sandbox mode: the answer names the captured message once it arrived (within SEND_WAIT_SECONDS) */
  send(body: MailpitSendBody): Promise<MailpitSendAnswer>;
  info(): Promise<MailpitInfo>;
}

export interface MailpitServiceDeps {
  captured: CapturedService;
  /** read flags and counts, which the captured service does not expose */
  capturedPort: Pick<CapturedPort, 'get' | 'markRead' | 'counts'>;
  send: Pick<SendService, 'send'>;
  accounts: Pick<AccountsService, 'list'>;
  clock: Clock;
}

/** the captured service's largest page */
const PAGE = 500;
/** how long POST /api/v1/send waits for its message to be captured */
export const SEND_WAIT_SECONDS = 10;

export function createMailpitService(deps: MailpitServiceDeps): MailpitService {
  const { captured } = deps;
  const startedMs = deps.clock.nowMs();

  /** `latest` or a captured id; anything else is unknown (404) */
  const resolve = async (id: string): Promise<number> => {
    if (id === 'latest') {
      const newest = (await captured.list({ limit: 1 })).items[0];
      if (!newest) throw notFound('latest message', id);
      return newest.id;
    }
    const n = /^\d{1,15}$/.test(id) ? Number(id) : 0;
    if (n <= 0) throw notFound('message', id);
    return n;
  };

  /** the first `upTo` messages (newest first) the search matches, or all when `upTo` is Infinity */
  const collect = async (q: string | undefined, upTo: number, tz?: string): Promise<{ items: CapturedSummary[]; done: boolean }> => {
    const items: CapturedSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await captured.list({ q, tz, limit: Math.min(PAGE, Math.max(1, upTo - items.length)), cursor });
      items.push(...page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor && items.length < upTo);
    return { items, done: !cursor };
  };

  const idsOf = (ids: string[]) => ids.filter((s) => /^\d{1,15}$/.test(s)).map(Number);

  const selected = async (sel: { ids?: string[]; search?: string }): Promise<number[]> =>
    sel.ids?.length ? idsOf(sel.ids) : (await collect(sel.search?.trim() || undefined, Infinity)).items.map((c) => c.id);

  return {
    async list({ start, limit, query, tz }) {
      const counts = await deps.capturedPort.counts();
      const q = query?.trim() || undefined;
      // a search counts every match (Mailpit's messages_count); a plain list needs only the page
      const { items } = await collect(q, q ? Infinity : start + limit, tz);
      const page = limit > 0 ? items.slice(start, start + limit) : [];
      const messages: MailpitSummary[] = page.map((s) => mailpitSummary(s));
      return {
        total: counts.total,
        unread: counts.unread,
        count: messages.length,
        messages_count: q ? items.length : counts.total,
        messages_unread: q ? items.filter((s) => !s.read).length : counts.unread,
        start,
        tags: [...new Set(page.flatMap(tagsOf))].sort(),
        messages,
      };
    },

    async setRead(sel) {
      if (sel.ids?.length && sel.search?.trim()) throw badRequest('You may specify either IDs or a search query, not both');
      for (const id of await selected(sel)) await deps.capturedPort.markRead(id, sel.read);
    },

    async delete(sel) {
      if (sel.ids?.length) await captured.remove({ ids: idsOf(sel.ids) });
      else await captured.remove({ q: sel.search?.trim() || undefined, tz: sel.tz });
    },

    async message(id) {
      const d = await captured.detail(await resolve(id));
      const header = (name: string) => d.headers.find((h) => h.key.toLowerCase() === name)?.value ?? '';
      const parts = [];
      for (const a of d.attachments) parts.push({ a, view: mailpitAttachment(a, (await captured.attachment(d.id, a.index)).content) });
      const replyTo = header('reply-to') ? addresses(parseAddresses(header('reply-to'))).map(mailpitAddress) : [];
      const date = Date.parse(header('date'));
      const unsubscribe = header('list-unsubscribe');
      const s = mailpitSummary({ ...d, attachments: d.attachments.filter((a) => !a.inline).length }, replyTo);
      return {
        ID: s.ID,
        MessageID: bareMessageId(d.message_id),
        From: s.From,
        To: s.To,
        Cc: s.Cc,
        Bcc: s.Bcc,
        ReplyTo: replyTo,
        ReturnPath: mailpitAddress(header('return-path')).Address || d.mail_from,
        Subject: d.subject,
        ListUnsubscribe: { Header: unsubscribe, Links: unsubscribeLinks(unsubscribe), Errors: '', HeaderPost: header('list-unsubscribe-post') },
        Date: Number.isFinite(date) ? new Date(date).toISOString() : rfc3339(d.received_ts),
        Tags: s.Tags,
        Username: s.Username,
        Text: d.text ?? '',
        HTML: d.html ?? '',
        Size: d.size,
        Inline: parts.filter((p) => p.a.inline).map((p) => p.view),
        Attachments: parts.filter((p) => !p.a.inline).map((p) => p.view),
      };
    },

    async headers(id) {
      return mailpitHeaders((await inspectMessage(await captured.raw(await resolve(id)))).headers);
    },

    async raw(id) {
      return captured.raw(await resolve(id));
    },

    async part(id, partId) {
      const index = /^\d{1,6}$/.test(partId) ? Number(partId) : -1;
      return captured.attachment(await resolve(id), index);
    },

    async release(id, to, accountId) {
      const n = await resolve(id);
      if (!(await deps.capturedPort.get(n))) throw notFound('message', id);
      const plain = to.map((t) => {
        const a = releaseAddress(t);
        if (!a) throw badRequest(`Invalid email address: ${t}`);
        return a;
      });
      if (plain.length === 0) throw badRequest('No valid addresses found');
      let account = accountId;
      if (!account) {
        const accounts = await deps.accounts.list(ADMIN);
        if (accounts.length !== 1) {
          throw badRequest(accounts.length === 0 ? 'no SMTP account is configured to release through' : 'several SMTP accounts: name one with ?account_id=');
        }
        account = accounts[0].id;
      }
      await captured.release(n, { account_id: account, to: plain });
    },

    async send(body) {
      const parsed = sendBody.safeParse(sendBodyOf(body));
      if (!parsed.success) throw badRequest(describeIssues(parsed.error));
      const out = await deps.send.send(parsed.data, { waitSeconds: SEND_WAIT_SECONDS });
      return { ID: out.final && out.captured_id !== null ? String(out.captured_id) : out.id };
    },

    async info() {
      const counts = await deps.capturedPort.counts();
      return {
        Version: RELAY_VERSION,
        LatestVersion: 'disabled',
        Database: '',
        DatabaseSize: 0,
        Messages: counts.total,
        Unread: counts.unread,
        Tags: {},
        RuntimeStats: {
          Uptime: Math.max(0, Math.floor((deps.clock.nowMs() - startedMs) / 1000)),
          Memory: process.memoryUsage().rss,
          MessagesDeleted: 0,
          SMTPAccepted: 0,
          SMTPAcceptedSize: 0,
          SMTPRejected: 0,
          SMTPIgnored: 0,
        },
      };
    },
  };
}
