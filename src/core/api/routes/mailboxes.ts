import Router from '@koa/router';
import type { MailboxDeleted, MailboxList } from '../../../shared/api/mailboxes.js';
import type { RelayServices } from '../../services/index.js';

/** GET /api/mailboxes and DELETE /api/mailboxes/:name */
export function mailboxesRoutes(services: Pick<RelayServices, 'mailboxes'>): Router {
  const { mailboxes } = services;
  const router = new Router({ prefix: '/api/mailboxes' });
  router.get('/', async (c) => {
    c.body = (await mailboxes.list()) satisfies MailboxList;
  });
  router.delete('/:name', async (c) => {
    c.body = (await mailboxes.remove(c.params.name, c.query)) satisfies MailboxDeleted;
  });
  return router;
}
