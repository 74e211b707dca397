import crypto from 'node:crypto';
import type { CapturedDetail, CapturedPage, CapturedSelection, ReleaseAnswer } from '../../shared/api/index.js';
import { conflict, notFound, RelayError } from '../errors.js';
import type { RelayBus } from '../events.js';
import { fieldError } from '../messages/validate.js';
import { messageKey, type MessagesPort, type CapturedPort } from '../store/ports.js';
import { attachmentAt, inspectMessage, renderableHtml, type InspectedAttachment } from '../sink/inspect.js';
import { releasePayload, type ReleaseRequest } from '../sink/release.js';
import { parseCapturedSearch, parseSearch } from '../sink/search-query.js';
import type { Sink } from '../sink/sink.js';
import type { MessageIntake } from './intake.js';

export type { ReleaseRequest } from '../sink/release.js';
/** The answers of GET /api/captured, GET /api/captured/{id} and the release: the shared API's shapes. */
export type { CapturedDetail, CapturedPage } from '../../shared/api/index.js';
export type ReleaseResult = ReleaseAnswer;

/** a search-wide delete collects the matching ids this many at a time */
const DELETE_SEARCH_PAGE = 500;

/** how long a search waits for the background indexer to catch up with a burst of captures */
const SEARCH_INDEX_WAIT_MS = 5000;

export type CapturedAttachment = InspectedAttachment & { content: Buffer };

export interface CapturedService {
  /** newest first; `q` searches (after waiting a moment for the indexer, see SEARCH_INDEX_WAIT_MS) */
  list(query: {
    q?: string;
    limit: number;
    cursor?: string;
    /** dates in `q` without a zone are in this IANA zone (Mailpit's tz) */
    tz?: string;
    /** also count every match of the search (`matched`) */
    count?: boolean;
  }): Promise<CapturedPage>;
  /** summary, headers, text, html and attachments; marks the message read */
  detail(id: number): Promise<CapturedDetail>;
  raw(id: number): Promise<Buffer>;
  /** the HTML body with cid: images inlined; 404 without one */
  html(id: number): Promise<string>;
  attachment(id: number, index: number): Promise<CapturedAttachment>;
  delete(id: number): Promise<void>;
  deleteAll(): Promise<number>;
  /** the ids given, else every message the search `q` matches, else all of it; answers how many went */
  remove(sel: CapturedSelection): Promise<number>;
  /** queues the captured message for real delivery through the account, whatever the mode */
  release(id: number, req: ReleaseRequest): Promise<ReleaseResult>;
}

export interface CapturedServiceDeps {
  captured: CapturedPort;
  messages: Pick<MessagesPort, 'get'>;
  sink: Pick<Sink, 'flushIndexing'>;
  intake: MessageIntake;
  bus: Pick<RelayBus, 'emit'>;
}

export function createCapturedService(deps: CapturedServiceDeps): CapturedService {
  const { captured, bus } = deps;

  const rawOf = async (id: number): Promise<Buffer> => {
    const raw = await captured.raw(id);
    if (!raw) throw notFound('captured message', String(id));
    return raw;
  };

  const deleteAll = async (): Promise<number> => {
    const removed = await captured.deleteAll();
    bus.emit('captured.removed', { ids: 'all' });
    return removed;
  };

  return {
    async list(q) {
      // the sink indexes message text in the background: a search covers everything captured so far
      const unindexed = q.q ? await deps.sink.flushIndexing(SEARCH_INDEX_WAIT_MS) : 0;
      const parsed = q.q ? parseSearch(q.q, { timeZone: q.tz }) : null;
      const page = await captured.list({ limit: q.limit, cursor: q.cursor, search: parsed?.search });
      const matched = parsed && q.count ? await captured.countMatching(parsed.search) : undefined;
      return {
        ...page,
        ...(await captured.counts()),
        ...(unindexed > 0 ? { unindexed } : {}),
        ...(matched !== undefined ? { matched } : {}),
        ...(parsed?.warnings.length ? { warnings: parsed.warnings } : {}),
      };
    },

    async detail(id) {
      const summary = await captured.get(id);
      if (!summary) throw notFound('captured message', String(id));
      const view = await inspectMessage(await rawOf(id));
      if (!summary.read) await captured.markRead(id);
      return { ...summary, read: true, ...view };
    },

    raw: rawOf,

    async html(id) {
      const html = await renderableHtml(await rawOf(id));
      if (html === null) throw notFound('HTML body of captured message', String(id));
      return html;
    },

    async attachment(id, index) {
      const att = index >= 0 ? await attachmentAt(await rawOf(id), index) : null;
      if (!att) throw notFound('attachment', `${id}/${index}`);
      return att;
    },

    async delete(id) {
      if (!(await captured.delete(id))) throw notFound('captured message', String(id));
      bus.emit('captured.removed', { ids: [id] });
    },

    deleteAll,

    async remove(sel) {
      const q = sel.q?.trim();
      if (!sel.ids && !q) return deleteAll();
      let ids = sel.ids ?? [];
      if (!sel.ids && q) {
        await deps.sink.flushIndexing(SEARCH_INDEX_WAIT_MS);
        const search = parseCapturedSearch(q, { timeZone: sel.tz });
        let cursor: string | undefined;
        do {
          const page = await captured.list({ limit: DELETE_SEARCH_PAGE, cursor, search });
          ids = ids.concat(page.items.map((c) => c.id));
          cursor = page.next_cursor ?? undefined;
        } while (cursor);
      }
      const removed = ids.length > 0 ? await captured.deleteMany(ids) : [];
      if (removed.length > 0) bus.emit('captured.removed', { ids: removed });
      return removed.length;
    },

    async release(id, req) {
      const summary = await captured.get(id);
      if (!summary) throw notFound('captured message', String(id));
      const payload = releasePayload(summary, req, `release-${id}-${crypto.randomUUID()}`);
      const { issues, result } = await deps.intake.admit([payload], { accountRequired: true, source_captured_id: id });
      const [issue] = issues;
      if (issue?.rule === 'account_not_found') throw notFound('account', req.account_id);
      if (issue?.rule === 'missing' && issue.path[0] === 'from') {
        throw new RelayError(422, 'no_sender', 'the captured message has neither an envelope sender nor a From address');
      }
      if (issue) {
        const e = fieldError(issue, payload);
        throw new RelayError(422, 'invalid_message', `release refused: ${e.field} ${e.message}`);
      }
      if (result.queued !== 1) throw conflict(`release refused: ${result.rejected[0]?.reason ?? 'not queued'}`);
      const queued = await deps.messages.get(messageKey(payload.id));
      return { id: payload.id, state: queued?.state ?? 'queued', captured_id: id, account_id: req.account_id, to: payload.to };
    },
  };
}
