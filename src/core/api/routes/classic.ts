import Router from '@koa/router';
import {
  accountInput,
  addMessagesEnvelope,
  classicMessagesQuery,
  cleanupMessagesInput,
  deleteMessagesInput,
  suspendQuery,
  tenantQuery,
  type ActiveAnswer,
  type AddMessagesAnswer,
  type AddMessagesRefusal,
  type CleanupMessagesAnswer,
  type ClassicAccountsAnswer,
  type SavedAnswer,
  type ClassicMessagesAnswer,
  type DeleteMessagesAnswer,
  type HealthAnswer,
  type OkAnswer,
  type SuspensionAnswer,
} from '../../../shared/api/index.js';
import type { RelayServices } from '../../services/index.js';
import { principalOf } from '../middleware/auth.js';
import { parseBody, parseQuery } from '../validate.js';
import { accountInfo, classicMessageRecord } from './classic-views.js';

/**
 * The classic genro-mail-proxy wire protocol (version A/B, with the documented behaviour where code and
 * docs differ), and v0.6.10's tenant scope: `?tenant_id=` (POST /account: the body's), else the token's.
 */
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
    control.runNow(principalOf(c), parseQuery(c, tenantQuery));
    c.body = { ok: true } satisfies OkAnswer;
  });

  router.post('/commands/suspend', async (c) => {
    c.body = (await control.suspend(principalOf(c), parseQuery(c, suspendQuery))) satisfies ActiveAnswer | SuspensionAnswer;
  });

  router.post('/commands/activate', async (c) => {
    c.body = (await control.activate(principalOf(c), parseQuery(c, suspendQuery))) satisfies ActiveAnswer | SuspensionAnswer;
  });

  router.post('/commands/add-messages', async (c) => {
    const { tenant_id } = parseQuery(c, tenantQuery);
    const result = await messages.add(principalOf(c), { ...parseBody(c, addMessagesEnvelope), tenant_id });
    const rejected = result.rejected.map((r) => (r.id ? r : { reason: r.reason }));
    if (result.allRejected) {
      // Genropy reads a top-level `rejected` at any status; classic clients read `detail`
      c.status = 400;
      c.body = {
        ok: false,
        queued: 0,
        rejected,
        detail: { error: 'all messages rejected', rejected: result.rejected.map((r) => ({ id: r.id || null, reason: r.reason })) },
      } satisfies AddMessagesRefusal;
      return;
    }
    c.body = { ok: true, queued: result.queued, rejected } satisfies AddMessagesAnswer;
  });

  router.post('/commands/delete-messages', async (c) => {
    const { tenant_id } = parseQuery(c, tenantQuery);
    const result = await messages.deleteMany(principalOf(c), { ...parseBody(c, deleteMessagesInput), tenant_id });
    c.body = { ok: true, removed: result.removed, not_found: result.not_found } satisfies DeleteMessagesAnswer;
  });

  router.post('/commands/cleanup-messages', async (c) => {
    const { tenant_id } = parseQuery(c, tenantQuery);
    const removed = await messages.cleanup(principalOf(c), { ...parseBody(c, cleanupMessagesInput), tenant_id });
    c.body = { ok: true, removed } satisfies CleanupMessagesAnswer;
  });

  router.post('/account', async (c) => {
    const dropped = await accounts.upsert(principalOf(c), parseBody(c, accountInput));
    c.body = { ok: true, ...dropped } satisfies SavedAnswer;
  });

  router.get('/accounts', async (c) => {
    const { tenant_id } = parseQuery(c, tenantQuery);
    c.body = { ok: true, accounts: (await accounts.list(principalOf(c), tenant_id)).map(accountInfo) } satisfies ClassicAccountsAnswer;
  });

  router.delete('/account/:id', async (c) => {
    const { tenant_id } = parseQuery(c, tenantQuery);
    await accounts.delete(principalOf(c), c.params.id, tenant_id);
    c.body = { ok: true } satisfies OkAnswer;
  });

  router.get('/messages', async (c) => {
    const q = parseQuery(c, classicMessagesQuery);
    const activeOnly = ['1', 'true', 'yes', 'on'].includes((q.active_only ?? '').toLowerCase());
    const list = await messages.listAll(principalOf(c), { activeOnly, tenant_id: q.tenant_id });
    c.body = { ok: true, messages: list.map(classicMessageRecord) } satisfies ClassicMessagesAnswer;
  });

  return router;
}
