import Router from '@koa/router';
import { z } from 'zod';
import { ClassicDetailError } from '../../errors.js';
import type { RelayServices } from '../../services/index.js';
import { parseBody, parseQuery } from '../validate.js';
import { openapi } from '../openapi.js';
import {
  accountInput,
  addMessagesInput,
  cleanupMessagesInput,
  deleteMessagesInput,
} from '../../messages/payload-schema.js';
import { accountInfo, classicMessageRecord } from './classic-views.js';

const ok = z.object({ ok: z.boolean() });
const activeAnswer = z.object({ ok: z.boolean(), active: z.boolean() });

openapi.registerPath({ method: 'get', path: '/health', summary: 'Liveness (public)', responses: { 200: { description: '{"status":"ok"}' } } });
openapi.registerPath({ method: 'get', path: '/status', summary: 'Authenticated status', responses: { 200: { description: 'ok', content: { 'application/json': { schema: activeAnswer } } } } });
for (const cmd of ['run-now', 'suspend', 'activate'])
  openapi.registerPath({ method: 'post', path: `/commands/${cmd}`, summary: `genro-mail-proxy ${cmd}`, responses: { 200: { description: 'ok', content: { 'application/json': { schema: cmd === 'run-now' ? ok : activeAnswer } } } } });
openapi.registerPath({
  method: 'post',
  path: '/commands/add-messages',
  summary: 'Queue up to 1,000 messages (insert or replace by id)',
  request: { body: { content: { 'application/json': { schema: addMessagesInput } } } },
  responses: {
    200: { description: '{"ok":true,"queued":N,"rejected":[{"id","reason"}]}' },
    400: { description: 'all messages rejected, or more than 1,000' },
    422: { description: 'schema violation' },
  },
});
openapi.registerPath({ method: 'post', path: '/commands/delete-messages', request: { body: { content: { 'application/json': { schema: deleteMessagesInput } } } }, responses: { 200: { description: '{"ok":true,"removed":N,"not_found":[ids]}' } } });
openapi.registerPath({ method: 'post', path: '/commands/cleanup-messages', request: { body: { content: { 'application/json': { schema: z.object({ older_than_seconds: z.number().int().nullish() }) } } } }, responses: { 200: { description: '{"ok":true,"removed":N}' } } });
openapi.registerPath({ method: 'post', path: '/account', summary: 'Create or replace an SMTP account', request: { body: { content: { 'application/json': { schema: accountInput } } } }, responses: { 200: { description: 'ok' }, 422: { description: 'schema violation' } } });
openapi.registerPath({ method: 'get', path: '/accounts', responses: { 200: { description: '{"ok":true,"accounts":[AccountInfo]} (no passwords)' } } });
openapi.registerPath({ method: 'delete', path: '/account/{id}', request: { params: z.object({ id: z.string() }) }, responses: { 200: { description: 'ok (also for unknown ids)' } } });
openapi.registerPath({ method: 'get', path: '/messages', request: { query: z.object({ active_only: z.string().optional() }) }, responses: { 200: { description: '{"ok":true,"messages":[MessageRecord]}' } } });

/** The classic genro-mail-proxy wire protocol (version A/B, with the documented behaviour where code and docs differ). */
export function classicRoutes(services: Pick<RelayServices, 'control' | 'messages' | 'accounts'>): Router {
  const { control, messages, accounts } = services;
  const router = new Router();

  router.get('/health', (c) => {
    c.body = { status: 'ok' };
  });

  router.get('/status', (c) => {
    c.body = { ok: true, active: control.active() };
  });

  router.post('/commands/run-now', (c) => {
    control.runNow();
    c.body = { ok: true };
  });

  router.post('/commands/suspend', async (c) => {
    await control.suspend();
    c.body = { ok: true, active: false };
  });

  router.post('/commands/activate', async (c) => {
    await control.activate();
    c.body = { ok: true, active: true };
  });

  router.post('/commands/add-messages', async (c) => {
    const body = parseBody(c, addMessagesInput);
    const result = await messages.add(body.messages, body.default_priority);
    if (result.allRejected) {
      throw new ClassicDetailError(400, {
        error: 'all messages rejected',
        rejected: result.rejected.map((r) => ({ id: r.id || null, reason: r.reason })),
      });
    }
    c.body = {
      ok: true,
      queued: result.queued,
      rejected: result.rejected.map((r) => (r.id ? r : { reason: r.reason })),
    };
  });

  router.post('/commands/delete-messages', async (c) => {
    const body = parseBody(c, deleteMessagesInput);
    const result = await messages.deleteMany(body.ids);
    c.body = { ok: true, removed: result.removed, not_found: result.not_found };
  });

  router.post('/commands/cleanup-messages', async (c) => {
    const body = parseBody(c, cleanupMessagesInput);
    c.body = { ok: true, removed: await messages.cleanup(body.older_than_seconds) };
  });

  router.post('/account', async (c) => {
    await accounts.upsert(parseBody(c, accountInput));
    c.body = { ok: true };
  });

  router.get('/accounts', async (c) => {
    c.body = { ok: true, accounts: (await accounts.list()).map(accountInfo) };
  });

  router.delete('/account/:id', async (c) => {
    await accounts.delete(c.params.id);
    c.body = { ok: true };
  });

  router.get('/messages', async (c) => {
    const q = parseQuery(c, z.object({ active_only: z.string().optional() }));
    const activeOnly = ['1', 'true', 'yes', 'on'].includes((q.active_only ?? '').toLowerCase());
    c.body = { ok: true, messages: (await messages.listAll(activeOnly)).map(classicMessageRecord) };
  });

  return router;
}
