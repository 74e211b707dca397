import Router from '@koa/router';
import { sendBody, sendQuery, type SendAccepted, type SendOutcome } from '../../../shared/api/index.js';
import type { RelayServices } from '../../services/index.js';
import { parseBody, parseQuery } from '../validate.js';

/** POST /api/send: 200 with the final outcome when it came within ?wait=, else 202 with where it stands. */
export function sendRoutes(services: Pick<RelayServices, 'send'>): Router {
  const router = new Router();

  router.post('/api/send', async (c) => {
    const { wait } = parseQuery(c, sendQuery);
    const body = parseBody(c, sendBody);
    // a client that goes away stops the wait
    const gone = new AbortController();
    const onClose = () => gone.abort();
    c.req.on('close', onClose);
    try {
      const outcome = await services.send.send(body, { waitSeconds: wait ?? 0, signal: gone.signal });
      if (outcome.final) {
        const { final: _final, ...answer } = outcome;
        c.status = 200;
        c.body = answer satisfies SendOutcome;
      } else {
        const { final: _final, ...answer } = outcome;
        c.status = 202;
        c.body = answer satisfies SendAccepted;
      }
    } finally {
      c.req.off('close', onClose);
    }
  });

  return router;
}
