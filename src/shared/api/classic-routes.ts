import {
  accountInput,
  activeAnswer,
  addMessagesAnswer,
  addMessagesInput,
  addMessagesRefusal,
  classicAccountsAnswer,
  classicMessagesAnswer,
  classicMessagesQuery,
  cleanupMessagesAnswer,
  cleanupMessagesInput,
  deleteMessagesAnswer,
  deleteMessagesInput,
  healthAnswer,
} from './classic.js';
import { z } from 'zod';
import { okAnswer } from './common.js';
import { savedAnswer } from './accounts.js';
import { classicError } from './errors.js';
import { body, CLASSIC_401, CLASSIC_403, classicFail, idParams, json, raw, type ApiRoute } from './route-kit.js';
import { suspendQuery, suspensionAnswer, tenantQuery } from './tenants.js';

/** suspend/activate: for a tenant (named, or the tenant token's) v0.6.10's answer; for the whole relay, whether it runs. */
const suspensionOrActive = z.union([suspensionAnswer, activeAnswer]);

/** The genro-mail-proxy protocol. */
export const CLASSIC_ROUTES: readonly ApiRoute[] = [
  { method: 'get', path: '/health', summary: 'Liveness (public)', security: [], responses: { 200: json(healthAnswer, 'the relay is up') } },
  { method: 'get', path: '/status', summary: 'Authenticated status', responses: { 200: json(activeAnswer, 'whether dispatch runs'), ...CLASSIC_401 } },
  {
    method: 'post',
    path: '/commands/run-now',
    summary: 'genro-mail-proxy run-now: dispatch and report at once',
    request: { query: tenantQuery },
    responses: { 200: json(okAnswer, 'ok'), ...CLASSIC_401 },
  },
  {
    method: 'post',
    path: '/commands/suspend',
    summary: "genro-mail-proxy suspend: a tenant's batch (or all its messages) held back; without a tenant, the whole relay",
    request: { query: suspendQuery },
    responses: { 200: json(suspensionOrActive, 'suspended'), 400: classicFail('unknown tenant'), ...CLASSIC_401 },
  },
  {
    method: 'post',
    path: '/commands/activate',
    summary: "genro-mail-proxy activate: a tenant's batch (or all) released; without a tenant, the whole relay resumes",
    request: { query: suspendQuery },
    responses: {
      200: json(suspensionOrActive, 'active'),
      400: classicFail('unknown tenant, or one batch of a tenant suspended as a whole'),
      ...CLASSIC_401,
    },
  },
  {
    method: 'post',
    path: '/commands/add-messages',
    summary: "Queue up to 1,000 messages (insert or replace by (tenant, id)), each in its tenant_id, else the call's",
    description:
      'Each message is checked on its own: one that fails goes to `rejected` with the reason, the others are queued. ' +
      'When every message is rejected the answer is 400 with the same top-level fields (ok false) and the classic `detail`.',
    request: { query: tenantQuery, body: body(addMessagesInput) },
    responses: {
      200: json(addMessagesAnswer, 'queued, with the messages refused and why'),
      400: json(z.union([addMessagesRefusal, classicError]), 'all messages rejected, or more than 1,000'),
      ...CLASSIC_401,
      422: classicFail('the body is not {messages: [...]}'),
    },
  },
  {
    method: 'post',
    path: '/commands/delete-messages',
    summary: "Delete the tenant's messages by id, whatever their state",
    request: { query: tenantQuery, body: body(deleteMessagesInput) },
    responses: { 200: json(deleteMessagesAnswer, 'removed, and the ids that did not exist'), ...CLASSIC_401, 422: classicFail('schema violation') },
  },
  {
    method: 'post',
    path: '/commands/cleanup-messages',
    summary: "Delete the tenant's reported messages older than older_than_seconds (default: the retention)",
    request: { query: tenantQuery, body: body(cleanupMessagesInput) },
    responses: { 200: json(cleanupMessagesAnswer, 'removed'), ...CLASSIC_401, 422: classicFail('schema violation') },
  },
  {
    method: 'post',
    path: '/account',
    summary: "Create or replace an SMTP account of the body's tenant_id (an omitted password keeps the stored one, unless host, port or user changed)",
    request: { body: body(accountInput) },
    responses: { 200: json(savedAnswer, 'ok'), ...CLASSIC_401, 404: classicFail('unknown tenant'), 422: classicFail('schema violation') },
  },
  {
    method: 'get',
    path: '/accounts',
    summary: "The tenant's SMTP accounts (no passwords)",
    request: { query: tenantQuery },
    responses: { 200: json(classicAccountsAnswer, 'accounts'), ...CLASSIC_401 },
  },
  {
    method: 'delete',
    path: '/account/{id}',
    summary: "Delete the tenant's account with its messages (ok also for unknown ids)",
    request: { params: idParams, query: tenantQuery },
    responses: { 200: json(okAnswer, 'ok'), ...CLASSIC_401 },
  },
  {
    method: 'get',
    path: '/messages',
    summary: "The tenant's messages in dispatch order",
    request: { query: classicMessagesQuery },
    responses: { 200: json(classicMessagesAnswer, 'messages'), ...CLASSIC_401 },
  },
];

/** Outside both families: Prometheus metrics and this document. */
export const OTHER_ROUTES: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (text exposition format 0.0.4; the admin token required)',
    responses: { 200: raw('text/plain', 'Prometheus text'), ...CLASSIC_401, ...CLASSIC_403 },
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document (public)',
    security: [],
    responses: { 200: json(z.looseObject({ openapi: z.string() }), 'OpenAPI 3.1') },
  },
];
