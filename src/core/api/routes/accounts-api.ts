import Router from '@koa/router';
import { z } from 'zod';
import type { RelayServices } from '../../services/index.js';
import { openapi } from '../openapi.js';

const idParam = z.object({ id: z.string() });

const rateWindow = z.object({
  window: z.enum(['minute', 'hour', 'day']),
  used: z.number().int(),
  limit: z.number().int().nullable(),
  next_free_ts: z.number().int().nullable(),
});

const accountView = z.object({
  id: z.string(),
  host: z.string(),
  port: z.number().int(),
  user: z.string().nullable(),
  password_set: z.boolean(),
  ttl: z.number().int(),
  limit_per_minute: z.number().int().nullable(),
  limit_per_hour: z.number().int().nullable(),
  limit_per_day: z.number().int().nullable(),
  limit_behavior: z.enum(['defer', 'error']),
  use_tls: z.boolean().nullable(),
  batch_size: z.number().int().nullable(),
  timeout: z.number().int().nullable(),
  max_connections: z.number().int().nullable(),
  fallbacks: z.array(z.string()).nullable(),
  weight: z.number().nullable(),
  created_at: z.string(),
  updated_ts: z.number().int(),
  rate: z.array(rateWindow),
  in_flight: z.number().int(),
  backoff_until: z.number().int().nullable(),
  backoff_error: z.string().nullable(),
  pool_open: z.boolean(),
});

const verifyResult = z.object({
  ok: z.boolean(),
  stage: z.enum(['connect', 'tls', 'auth', 'ok']),
  message: z.string(),
  code: z.number().int().optional(),
});

const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

openapi.registerPath({
  method: 'get',
  path: '/api/accounts',
  summary: 'SMTP accounts (no passwords) with live delivery state',
  description:
    'rate: per window (minute, hour, day) the sends counted in the sliding window including those in flight, the limit, and when the next slot frees (null when one is free). in_flight: sends in progress; backoff_until: the account is held back after a connection failure.',
  responses: {
    200: { description: 'accounts', content: { 'application/json': { schema: z.object({ items: z.array(accountView), next_cursor: z.null() }) } } },
  },
});
openapi.registerPath({
  method: 'post',
  path: '/api/accounts/{id}/verify',
  summary: 'Connect (and authenticate when credentials are set) with the account settings',
  description: 'stage names what failed: connect (TCP, greeting, timeouts), tls (handshake, certificate, STARTTLS), auth; ok on success.',
  request: { params: idParam },
  responses: {
    200: { description: 'verification result (ok false says what failed)', content: { 'application/json': { schema: verifyResult } } },
    404: { description: 'unknown account', content: { 'application/json': { schema: errorBody } } },
  },
});
openapi.registerPath({
  method: 'post',
  path: '/api/messages/{id}/retry',
  summary: 'Queue a failed or waiting message for an immediate new attempt (fresh retry budget)',
  request: { params: idParam },
  responses: {
    200: { description: '{ ok: true, message: MessageSummary }' },
    404: { description: 'unknown message', content: { 'application/json': { schema: errorBody } } },
    409: { description: 'the message is queued, being sent or was sent', content: { 'application/json': { schema: errorBody } } },
  },
});

/** GET /api/accounts, POST /api/accounts/{id}/verify, POST /api/messages/{id}/retry (delivery engine) */
export function accountsApiRoutes(services: Pick<RelayServices, 'accounts' | 'messages'>): Router {
  const { accounts, messages } = services;
  const router = new Router();

  router.get('/api/accounts', async (c) => {
    c.body = { items: await accounts.listWithDelivery(), next_cursor: null };
  });

  router.post('/api/accounts/:id/verify', async (c) => {
    c.body = await accounts.verify(c.params.id);
  });

  router.post('/api/messages/:id/retry', async (c) => {
    c.body = { ok: true, message: await messages.retry(c.params.id) };
  });

  return router;
}
