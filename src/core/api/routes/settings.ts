import Router from '@koa/router';
import { settingsPatch, type Settings } from '../../../shared/api/index.js';
import type { RelayServices } from '../../services/index.js';
import { parseBody } from '../validate.js';

/** GET and PATCH /api/settings */
export function settingsRoutes(services: Pick<RelayServices, 'settings'>): Router {
  const { settings } = services;
  const router = new Router({ prefix: '/api/settings' });
  router.get('/', (c) => {
    c.body = settings.view() satisfies Settings;
  });
  router.patch('/', async (c) => {
    c.body = (await settings.update(parseBody(c, settingsPatch))) satisfies Settings;
  });
  return router;
}
