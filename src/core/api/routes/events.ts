import Router from '@koa/router';
import type { RelayServices } from '../../services/index.js';
import { openapi } from '../openapi.js';

openapi.registerPath({
  method: 'get',
  path: '/api/events',
  summary: 'Server-Sent Events (token as header or ?token=)',
  description: [
    'Events, each `data` being JSON:',
    '`messages`: an array of timeline rows (MessageEvent), coalesced per ~200 ms; a burst over the cap is sent as',
    '`{coalesced: true, count, states: {state: n}}` instead (refetch the list).',
    '`captured`: one captured-mail summary per frame; a burst of more than 20 per ~200 ms is sent as `{coalesced: true, count}`;',
    'deletions as `{type: "deleted", ids}`, `{type: "cleared"}` (delete all), or `{coalesced: true, removed}` for a large prune.',
    '`settings`: the settings after a change. `stats`: `{counts, captured: {total, unread}, in_flight, delivery_mode, paused}`,',
    'sent on connect and then only when it changed, at most every 2 s. `report`: outcome of a delivery-report sync.',
    'A comment line is sent every 15 s as a heartbeat.',
  ].join(' '),
  responses: { 200: { description: 'text/event-stream' } },
});

/** GET /api/events (Server-Sent Events): the live events service's frames, written to the raw response. */
export function eventsRoutes(services: Pick<RelayServices, 'events'>): Router {
  const router = new Router();
  router.get('/api/events', (c) => {
    const res = c.res;
    const socket = c.req.socket;
    socket.setTimeout(0);
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    // the stream is written to the raw response; Koa must neither answer nor see a 404
    c.status = 200;
    c.respond = false;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const disconnect = services.events.connect({
      write: (chunk) => res.write(chunk),
      backlog: () => res.writableLength,
      close: () => res.destroy(),
    });
    res.on('close', disconnect);
    res.on('error', disconnect);
  });
  return router;
}
