import Router from '@koa/router';
import type { RelayServices } from '../../services/index.js';

/** GET /api/events (Server-Sent Events): the live events service's frames, written to the raw response. */
export function eventsRoutes(services: Pick<RelayServices, 'events'>): Router {
  const router = new Router();
  router.get('/api/events', (c) => {
    const res = c.res;
    const socket = c.req.socket;
    socket.setTimeout(0);
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    const head = () => {
      if (res.headersSent) return;
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
    };
    // connect refuses (503) before its first write; Koa answers that one
    const disconnect = services.events.connect({
      write: (chunk) => {
        head();
        res.write(chunk);
      },
      backlog: () => res.writableLength,
      close: () => res.destroy(),
    });
    // the stream is written to the raw response; Koa must neither answer nor see a 404
    head();
    c.status = 200;
    c.respond = false;
    res.on('close', disconnect);
    res.on('error', disconnect);
  });
  return router;
}
