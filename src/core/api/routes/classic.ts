import Router from '@koa/router';
import {
  accountInput,
  addMessagesInput,
  classicMessagesQuery,
  cleanupMessagesInput,
  deleteMessagesInput,
  type ActiveAnswer,
  type AddMessagesAnswer,
  type CleanupMessagesAnswer,
  type ClassicAccountsAnswer,
  type ClassicErrorDetail,
  type ClassicMessagesAnswer,
  type DeleteMessagesAnswer,
  type HealthAnswer,
  type OkAnswer,
} from '../../../shared/api/index.js';
import { ClassicDetailError } from '../../errors.js';
import type { RelayServices } from '../../services/index.js';
import { parseBody, parseQuery } from '../validate.js';
import { accountInfo, classicMessageRecord } from './classic-views.js';

/** The classic genro-mail-proxy wire protocol (version A/B, with the documented behaviour where code and docs differ). */
export function classicRoutes(services: Pick<RelayServices, 'control' | 'messages' | 'accounts'>): Router {
  const { control, messages, accounts } = services;
  const router = new Router();

  router.get('/health', (c) => {
    c.body = { status: 'ok' } satisfies HealthAnswer;
  });

  router.get('/status', (c) => {
    c.body = { ok: true, active: control.active() } satisfies ActiveAnswer;
  });

  router.post('/commands/run-now', (c) => {
    control.runNow();
    c.body = { ok: true } satisfies OkAnswer;
  });

  router.post('/commands/suspend', async (c) => {
    await control.suspend();
    c.body = { ok: true, active: false } satisfies ActiveAnswer;
  });

  router.post('/commands/activate', async (c) => {
    await control.activate();
    c.body = { ok: true, active: true } satisfies ActiveAnswer;
  });

  router.post('/commands/add-messages', async (c) => {
    const body = parseBody(c, addMessagesInput);
    const result = await messages.add(body.messages, body.default_priority);
    if (result.allRejected) {
      throw new ClassicDetailError(400, {
        error: 'all messages rejected',
        rejected: result.rejected.map((r) => ({ id: r.id || null, reason: r.reason })),
      } satisfies ClassicErrorDetail);
    }
    c.body = {
      ok: true,
      queued: result.queued,
      rejected: result.rejected.map((r) => (r.id ? r : { reason: r.reason })),
    } satisfies AddMessagesAnswer;
  });

  router.post('/commands/delete-messages', async (c) => {
    const body = parseBody(c, deleteMessagesInput);
    const result = await messages.deleteMany(body.ids);
    c.body = { ok: true, removed: result.removed, not_found: result.not_found } satisfies DeleteMessagesAnswer;
  });

  router.post('/commands/cleanup-messages', async (c) => {
    const body = parseBody(c, cleanupMessagesInput);
    c.body = { ok: true, removed: await messages.cleanup(body.older_than_seconds) } satisfies CleanupMessagesAnswer;
  });

  router.post('/account', async (c) => {
    await accounts.upsert(parseBody(c, accountInput));
    c.body = { ok: true } satisfies OkAnswer;
  });

  router.get('/accounts', async (c) => {
    c.body = { ok: true, accounts: (await accounts.list()).map(accountInfo) } satisfies ClassicAccountsAnswer;
  });

  router.delete('/account/:id', async (c) => {
    await accounts.delete(c.params.id);
    c.body = { ok: true } satisfies OkAnswer;
  });

  router.get('/messages', async (c) => {
    const q = parseQuery(c, classicMessagesQuery);
    const activeOnly = ['1', 'true', 'yes', 'on'].includes((q.active_only ?? '').toLowerCase());
    c.body = { ok: true, messages: (await messages.listAll(activeOnly)).map(classicMessageRecord) } satisfies ClassicMessagesAnswer;
  });

  return router;
}
