import Router from '@koa/router';
import { capturedReadBody, type OkAnswer } from '../../../shared/api/index.js';
import type { RelayServices } from '../../services/index.js';
import { parseBody } from '../validate.js';

/** PUT /api/captured/read: the web UI's read/unread and "mark all read", through Mailpit's own setRead. */
export function capturedReadRoutes(services: Pick<RelayServices, 'mailpit'>): Router {
  const router = new Router();
  router.put('/api/captured/read', async (c) => {
    const b = parseBody(c, capturedReadBody);
    await services.mailpit.setRead({ read: b.read, ids: b.ids?.map(String), search: b.q });
    c.body = { ok: true } satisfies OkAnswer;
  });
  return router;
}
