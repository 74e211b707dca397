import { z } from 'zod';
import {
  accountInput,
  activeAnswer,
  addMessagesAnswer,
  addMessagesInput,
  classicAccountsAnswer,
  classicMessagesAnswer,
  classicMessagesQuery,
  cleanupMessagesAnswer,
  cleanupMessagesInput,
  deleteMessagesAnswer,
  deleteMessagesInput,
  healthAnswer,
} from './classic.js';
import { okAnswer } from './common.js';
import { body, CLASSIC_401, classicFail, idParams, json, raw, type ApiRoute } from './route-kit.js';

/** The genro-mail-proxy protocol. */
export const CLASSIC_ROUTES: readonly ApiRoute[] = [
  { method: 'get', path: '/health', summary: 'Liveness (public)', security: [], responses: { 200: json(healthAnswer, 'the relay is up') } },
  { method: 'get', path: '/status', summary: 'Authenticated status', responses: { 200: json(activeAnswer, 'whether dispatch runs'), ...CLASSIC_401 } },
  {
    method: 'post',
    path: '/commands/run-now',
    summary: 'genro-mail-proxy run-now: dispatch and report at once',
    responses: { 200: json(okAnswer, 'ok'), ...CLASSIC_401 },
  },
  {
    method: 'post',
    path: '/commands/suspend',
    summary: 'genro-mail-proxy suspend: hold dispatch and reporting',
    responses: { 200: json(activeAnswer, 'suspended'), ...CLASSIC_401 },
  },
  {
    method: 'post',
    path: '/commands/activate',
    summary: 'genro-mail-proxy activate: resume dispatch and reporting',
    responses: { 200: json(activeAnswer, 'active'), ...CLASSIC_401 },
  },
  {
    method: 'post',
    path: '/commands/add-messages',
    summary: 'Queue up to 1,000 messages (insert or replace by id)',
    request: { body: body(addMessagesInput) },
    responses: {
      200: json(addMessagesAnswer, 'queued, with the messages refused and why'),
      400: classicFail('all messages rejected, or more than 1,000'),
      ...CLASSIC_401,
      422: classicFail('schema violation'),
    },
  },
  {
    method: 'post',
    path: '/commands/delete-messages',
    summary: 'Delete messages by id, whatever their state',
    request: { body: body(deleteMessagesInput) },
    responses: { 200: json(deleteMessagesAnswer, 'removed, and the ids that did not exist'), ...CLASSIC_401, 422: classicFail('schema violation') },
  },
  {
    method: 'post',
    path: '/commands/cleanup-messages',
    summary: 'Delete reported messages older than older_than_seconds (default: the retention)',
    request: { body: body(cleanupMessagesInput) },
    responses: { 200: json(cleanupMessagesAnswer, 'removed'), ...CLASSIC_401, 422: classicFail('schema violation') },
  },
  {
    method: 'post',
    path: '/account',
    summary: 'Create or replace an SMTP account (an omitted password keeps the stored one)',
    request: { body: body(accountInput) },
    responses: { 200: json(okAnswer, 'ok'), ...CLASSIC_401, 422: classicFail('schema violation') },
  },
  { method: 'get', path: '/accounts', summary: 'SMTP accounts (no passwords)', responses: { 200: json(classicAccountsAnswer, 'accounts'), ...CLASSIC_401 } },
  {
    method: 'delete',
    path: '/account/{id}',
    summary: 'Delete an account with its messages (ok also for unknown ids)',
    request: { params: idParams },
    responses: { 200: json(okAnswer, 'ok'), ...CLASSIC_401 },
  },
  {
    method: 'get',
    path: '/messages',
    summary: 'Every message in dispatch order',
    request: { query: classicMessagesQuery },
    responses: { 200: json(classicMessagesAnswer, 'messages'), ...CLASSIC_401 },
  },
];

/** Outside both families: Prometheus metrics and this document. */
export const OTHER_ROUTES: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (text exposition format 0.0.4; token required)',
    responses: { 200: raw('text/plain', 'Prometheus text'), ...CLASSIC_401 },
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document (public)',
    security: [],
    responses: { 200: json(z.looseObject({ openapi: z.string() }), 'OpenAPI 3.1') },
  },
];
