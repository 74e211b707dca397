import Router from '@koa/router';
import { z } from 'zod';
import type { Relay } from '../../relay.js';
import { nowSec } from '../../clock.js';
import { ClassicDetailError, RelayError } from '../../errors.js';
import { parseBody, parseQuery } from '../validate.js';
import { openapi } from '../openapi.js';
import {
  accountInput,
  addMessagesInput,
  cleanupMessagesInput,
  deleteMessagesInput,
} from '../../messages/payload-schema.js';
import { accountInfo, classicMessageRecord } from './genropy-views.js';

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
export function genropyRoutes(relay: Relay): Router {
  const { ctx, queue } = relay;
  const router = new Router();
  const active = () => !ctx.settings.current().paused;

  router.get('/health', (c) => {
    c.body = { status: 'ok' };
  });

  router.get('/status', (c) => {
    c.body = { ok: true, active: active() };
  });

  router.post('/commands/run-now', (c) => {
    ctx.bus.emit('dispatch.wake');
    ctx.bus.emit('report.wake');
    c.body = { ok: true };
  });

  router.post('/commands/suspend', (c) => {
    ctx.settings.update({ paused: true });
    c.body = { ok: true, active: false };
  });

  router.post('/commands/activate', (c) => {
    ctx.settings.update({ paused: false });
    ctx.bus.emit('report.wake');
    c.body = { ok: true, active: true };
  });

  router.post('/commands/add-messages', (c) => {
    const body = parseBody(c, addMessagesInput);
    const result = queue.addMessages(body.messages, body.default_priority);
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

  router.post('/commands/delete-messages', (c) => {
    const body = parseBody(c, deleteMessagesInput);
    const result = queue.deleteMessages(body.ids);
    c.body = { ok: true, removed: result.removed, not_found: result.not_found };
  });

  router.post('/commands/cleanup-messages', async (c) => {
    const body = parseBody(c, cleanupMessagesInput);
    c.body = { ok: true, removed: await relay.reporter.cleanup(body.older_than_seconds) };
  });

  router.post('/account', (c) => {
    const a = parseBody(c, accountInput);
    if (a.fallbacks?.includes(a.id)) throw new RelayError(422, 'validation_error', 'fallbacks: an account cannot fall back to itself');
    const positive = (n: number | null | undefined) => (n !== null && n !== undefined && n > 0 ? n : null);
    ctx.store.accounts.upsert(
      {
        id: a.id,
        host: a.host,
        port: a.port,
        user: a.user ?? null,
        // an omitted password keeps the stored one (so an edit need not resend it); null clears it
        password: a.password === undefined ? (ctx.store.accounts.get(a.id)?.password ?? null) : a.password,
        ttl: a.ttl ?? 300,
        limit_per_minute: positive(a.limit_per_minute),
        limit_per_hour: positive(a.limit_per_hour),
        limit_per_day: positive(a.limit_per_day),
        limit_behavior: a.limit_behavior === 'error' || a.limit_behavior === 'reject' ? 'error' : 'defer',
        use_tls: a.use_tls ?? null,
        batch_size: positive(a.batch_size),
        timeout: positive(a.timeout),
        max_connections: positive(a.max_connections),
        fallbacks: a.fallbacks?.length ? a.fallbacks : null,
        weight: a.weight ?? null,
      },
      nowSec(ctx.clock),
    );
    ctx.bus.emit('dispatch.wake');
    c.body = { ok: true };
  });

  router.get('/accounts', (c) => {
    c.body = { ok: true, accounts: ctx.store.accounts.list().map(accountInfo) };
  });

  router.delete('/account/:id', (c) => {
    ctx.store.accounts.delete(c.params.id);
    c.body = { ok: true };
  });

  router.get('/messages', (c) => {
    const q = parseQuery(c, z.object({ active_only: z.string().optional() }));
    const activeOnly = ['1', 'true', 'yes', 'on'].includes((q.active_only ?? '').toLowerCase());
    c.body = { ok: true, messages: ctx.store.messages.listAll({ activeOnly }).map(classicMessageRecord) };
  });

  return router;
}
