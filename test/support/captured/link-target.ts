import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback web server for the link check: `/ok` 200, `/missing` 404, `/moved` 302 to `/ok`,
 * `/loop` redirects to itself, `/no-head` 405 to HEAD and 200 to GET, `/slow` never answers.
 * Records every request as `METHOD path`.
 */
export async function startLinkTarget(): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/ok' || path === '/image.png') res.writeHead(200).end('fine');
    else if (path === '/moved') res.writeHead(302, { Location: '/ok' }).end();
    else if (path === '/loop') res.writeHead(302, { Location: '/loop' }).end();
    else if (path === '/no-head') res.writeHead(req.method === 'HEAD' ? 405 : 200).end();
    else if (path === '/slow') return; // never answers: the check's timeout ends it
    else res.writeHead(404).end('missing');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
