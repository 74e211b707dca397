import Router from '@koa/router';
import type Koa from 'koa';
import {
  mailpitDeleteBody,
  mailpitDeleteSearchQuery,
  mailpitListQuery,
  mailpitReadBody,
  mailpitReleaseBody,
  mailpitReleaseQuery,
  mailpitSearchQuery,
  mailpitSendBody,
  type MailpitHeaders,
  type MailpitInfo,
  type MailpitMessage,
  type MailpitMessages,
  type MailpitSendAnswer,
} from '../../../shared/api/mailpit.js';
import { RelayError } from '../../errors.js';
import type { RelayServices } from '../../services/index.js';
import { parseBody, parseQuery } from '../validate.js';

/** statuses that keep their own answer (the error middleware's): everything else Mailpit answers 400 */
const KEPT = new Set([401, 403, 404, 413]);

/**
 * Mailpit answers failures as text/plain (a 404 for an unknown ID, else 400), its send as {"Error"};
 * server errors stay with the error middleware.
 */
function mailpit(handler: Koa.Middleware, jsonErrors = false): Koa.Middleware {
  return async (c, next) => {
    try {
      await handler(c, next);
    } catch (err) {
      const status = err instanceof RelayError ? err.status : 500;
      if (status >= 500 || status === 401 || status === 403) throw err;
      c.status = KEPT.has(status) ? status : 400;
      const message = (err as Error).message;
      if (jsonErrors) c.body = { Error: message };
      else {
        c.type = 'text/plain';
        c.body = message;
      }
    }
  };
}

const ok = (c: Koa.Context) => {
  c.type = 'text/plain';
  c.body = 'ok';
};

/** Served content comes from untrusted mail: never sniffed, never scripted. */
function untrusted(c: Koa.Context): void {
  c.set('X-Content-Type-Options', 'nosniff');
  c.set('Content-Security-Policy', "default-src 'none'; sandbox");
  c.set('Cache-Control', 'private, no-store');
}

/** Mailpit API v1 (/api/v1/*) and its public /livez and /readyz. */
export function mailpitRoutes(services: Pick<RelayServices, 'mailpit'>): Router {
  const { mailpit: svc } = services;
  const router = new Router();

  const empty = (c: Koa.Context) => {
    c.status = 200;
    c.type = 'text/plain';
    c.body = '';
  };
  router.get('/livez', empty);
  router.get('/readyz', empty);

  router.get(
    '/api/v1/info',
    mailpit(async (c) => {
      c.body = (await svc.info()) satisfies MailpitInfo;
    }),
  );

  router.get(
    '/api/v1/messages',
    mailpit(async (c) => {
      c.body = (await svc.list(parseQuery(c, mailpitListQuery))) satisfies MailpitMessages;
    }),
  );

  router.put(
    '/api/v1/messages',
    mailpit(async (c) => {
      const b = parseBody(c, mailpitReadBody);
      await svc.setRead({ read: b.Read, ids: b.IDs, search: b.Search });
      ok(c);
    }),
  );

  router.delete(
    '/api/v1/messages',
    mailpit(async (c) => {
      await svc.delete({ ids: parseBody(c, mailpitDeleteBody).IDs });
      ok(c);
    }),
  );

  router.get(
    '/api/v1/search',
    mailpit(async (c) => {
      c.body = (await svc.list(parseQuery(c, mailpitSearchQuery))) satisfies MailpitMessages;
    }),
  );

  router.delete(
    '/api/v1/search',
    mailpit(async (c) => {
      const { query, tz } = parseQuery(c, mailpitDeleteSearchQuery);
      await svc.delete({ search: query, tz });
      ok(c);
    }),
  );

  router.get(
    '/api/v1/message/:ID',
    mailpit(async (c) => {
      c.body = (await svc.message(c.params.ID)) satisfies MailpitMessage;
    }),
  );

  router.get(
    '/api/v1/message/:ID/headers',
    mailpit(async (c) => {
      c.body = (await svc.headers(c.params.ID)) satisfies MailpitHeaders;
    }),
  );

  router.get(
    '/api/v1/message/:ID/raw',
    mailpit(async (c) => {
      const raw = await svc.raw(c.params.ID);
      untrusted(c);
      c.type = 'text/plain; charset=utf-8';
      c.body = raw;
    }),
  );

  router.get(
    '/api/v1/message/:ID/part/:PartID',
    mailpit(async (c) => {
      const part = await svc.part(c.params.ID, c.params.PartID);
      untrusted(c);
      c.attachment(part.filename || part.cid || `part-${part.index}`, { type: 'inline' });
      c.type = part.content_type || 'application/octet-stream';
      c.body = part.content;
    }),
  );

  router.post(
    '/api/v1/message/:ID/release',
    mailpit(async (c) => {
      const { account_id } = parseQuery(c, mailpitReleaseQuery);
      await svc.release(c.params.ID, parseBody(c, mailpitReleaseBody).To, account_id);
      ok(c);
    }),
  );

  router.post(
    '/api/v1/send',
    mailpit(async (c) => {
      c.body = (await svc.send(parseBody(c, mailpitSendBody))) satisfies MailpitSendAnswer;
    }, true),
  );

  return router;
}
