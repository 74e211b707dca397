import Router from '@koa/router';
import { z } from 'zod';
import type { RelayServices } from '../../services/index.js';
import { hasCrLf } from '../../messages/validate.js';
import { parseBody } from '../validate.js';
import { openapi } from '../openapi.js';

const noCrLf = (s: string) => !hasCrLf(s);

export const settingsPatch = z
  .object({
    delivery_mode: z.enum(['sandbox', 'real']),
    paused: z.boolean(),
    client_sync_url: z
      .string()
      .max(2000)
      .refine((s) => /^https?:\/\/[^\s]+$/i.test(s), 'must be an http(s) URL')
      .nullable(),
    client_sync_user: z.string().max(500).refine(noCrLf, 'must not contain CR or LF').nullable(),
    client_sync_password: z.string().max(500).nullable(),
    client_sync_token: z.string().max(2000).refine(noCrLf, 'must not contain CR or LF').nullable(),
    report_interval_seconds: z.number().int().min(5).max(86400),
    retention_seconds: z.number().int().min(0).max(10 * 365 * 86400),
    sink_retention_count: z.number().int().min(1).max(10_000_000),
    sink_retention_age_seconds: z.number().int().min(0).max(10 * 365 * 86400),
  })
  .partial()
  .strict();

openapi.registerPath({ method: 'get', path: '/api/settings', summary: 'Runtime settings (secrets shown only as *_set)', responses: { 200: { description: 'settings' } } });
openapi.registerPath({
  method: 'patch',
  path: '/api/settings',
  summary: 'Change runtime settings (persisted; take effect at once)',
  request: { body: { content: { 'application/json': { schema: settingsPatch } } } },
  responses: { 200: { description: 'settings' }, 422: { description: 'invalid value (names the field)' } },
});

export function settingsRoutes(services: Pick<RelayServices, 'settings'>): Router {
  const { settings } = services;
  const router = new Router({ prefix: '/api/settings' });
  router.get('/', (c) => {
    c.body = settings.view();
  });
  router.patch('/', async (c) => {
    c.body = await settings.update(parseBody(c, settingsPatch));
  });
  return router;
}
