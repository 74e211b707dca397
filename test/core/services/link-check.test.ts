import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractLinks, LinkChecker } from '../../../src/core/services/link-check.js';
import { startLinkTarget } from '../../support/captured/link-target.js';

describe('link extraction', () => {
  it('lists links, images and stylesheets once each, in order, without anchors, addresses and parts of the message', () => {
    const html = `<link rel="stylesheet" href="https://x.test/s.css"><a href="https://x.test/a">a</a>
      <img src="https://x.test/i.png"><a href=" https://x.test/a ">again</a><a href="#top">top</a>
      <a href="mailto:a@x.test">m</a><img src="cid:logo@x"><img src="data:image/png;base64,AA=="><area href="http://x.test/map">`;
    expect(extractLinks(html)).toEqual([
      { url: 'https://x.test/s.css', kind: 'stylesheet' },
      { url: 'https://x.test/a', kind: 'link' },
      { url: 'https://x.test/i.png', kind: 'image' },
      { url: 'http://x.test/map', kind: 'link' },
    ]);
  });
});

describe('link checker', () => {
  let target: Awaited<ReturnType<typeof startLinkTarget>>;
  beforeAll(async () => {
    target = await startLinkTarget();
  });
  afterAll(() => target.close());

  it('gives up on a link that does not answer within the timeout, and checks the rest', async () => {
    const checker = new LinkChecker({ allowPrivate: true, timeoutMs: 300 });
    const answer = await checker.checkHtml(`<a href="${target.url}/slow">slow</a><a href="${target.url}/ok">ok</a>`);
    expect(answer.links.map((l) => [l.status, l.ok, l.detail])).toEqual([
      [null, false, 'no answer within 300 ms'],
      [200, true, 'HTTP 200 OK'],
    ]);
  });

  it('resolves a name and refuses it when it resolves to a loopback address, without connecting', async () => {
    const lookup = async () => [{ address: '127.0.0.1', family: 4 as const }];
    const checker = new LinkChecker({ allowPrivate: false, lookup });
    const before = target.requests.length;
    const r = await checker.checkOne(`http://looks-public.test:${new URL(target.url).port}/ok`, 'link');
    expect(r).toMatchObject({ ok: false, status: null, detail: expect.stringContaining('looks-public.test is a loopback address (127.0.0.1)') });
    expect(target.requests.length).toBe(before);
  });

  it('follows a redirect and checks where it leads', async () => {
    const checker = new LinkChecker({ allowPrivate: true });
    expect(await checker.checkOne(`${target.url}/moved`, 'link')).toMatchObject({ status: 200, ok: true, redirects: 1 });
  });

  it('caps the links checked and says so', async () => {
    const checker = new LinkChecker({ allowPrivate: true, maxLinks: 2, concurrency: 1 });
    const answer = await checker.checkHtml([1, 2, 3].map((i) => `<a href="${target.url}/ok?${i}">${i}</a>`).join(''));
    expect(answer).toMatchObject({ checked: 2, failed: 0, truncated: true });
  });
});
