import Router from '@koa/router';
import type { Relay } from '../../relay.js';
import type { MessageState } from '../../messages/types.js';
import { openapi } from '../openapi.js';

openapi.registerPath({ method: 'get', path: '/api/stats', summary: 'Counts by state, per account; report status', responses: { 200: { description: 'stats' } } });

export function statsRoutes(relay: Relay): Router {
  const router = new Router();
  router.get('/api/stats', (c) => {
    const { store, settings } = relay.ctx;
    const perAccount = new Map<string, Partial<Record<MessageState, number>>>();
    for (const r of store.messages.countByAccount()) {
      const key = r.account_id ?? '';
      const entry = perAccount.get(key) ?? {};
      entry[r.state] = r.n;
      perAccount.set(key, entry);
    }
    c.body = {
      counts: store.messages.countByState(),
      captured: store.captured.counts(),
      accounts: [...perAccount.entries()].map(([account_id, counts]) => ({ account_id: account_id || null, counts })),
      delivery_mode: settings.current().delivery_mode,
      paused: settings.current().paused,
      in_flight: relay.dispatcher.inFlight(),
      report: relay.reporter.status(),
    };
  });
  return router;
}
