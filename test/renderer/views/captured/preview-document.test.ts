import { describe, expect, it } from 'vitest';
import { previewCsp } from '../../../../src/shared/csp.js';
import { buildPreviewDocument, normalizeHeaders } from '../../../../src/renderer/src/views/captured/preview-document.js';

const LOGO = 'data:image/png;base64,iVBORw0KGgo=';
const cidUrl = (cid: string) => (cid === 'logo@x' ? LOGO : null);
const build = (html: string, allowRemote = false) => buildPreviewDocument({ html, allowRemote, cidUrl });

function parse(srcdoc: string): Document {
  return new DOMParser().parseFromString(srcdoc, 'text/html');
}

describe('buildPreviewDocument', () => {
  it('puts a blocking Content-Security-Policy before anything else in the head', () => {
    const { srcdoc } = build('<html><head><link rel="stylesheet" href="https://cdn.example/x.css"><style>p{}</style></head><body><p>Hi</p></body></html>');
    const doc = parse(srcdoc);
    const metas = [...doc.head.children];
    const cspIndex = metas.findIndex((m) => m.getAttribute('http-equiv') === 'Content-Security-Policy');
    const linkIndex = metas.findIndex((m) => m.tagName === 'LINK');
    expect(cspIndex).toBeGreaterThanOrEqual(0);
    expect(cspIndex).toBeLessThan(linkIndex);
    const csp = metas[cspIndex].getAttribute('content')!;
    expect(csp).toContain("default-src 'none'");
    // inline parts arrive as data:/blob: URLs: the frame may not reach the relay (or anything else)
    expect(csp).toBe("default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'; font-src data:; media-src data: blob:");
    expect(csp).not.toMatch(/img-src[^;]*https:/);
    expect(csp).not.toContain('script-src');
    expect(doc.querySelector('meta[name="referrer"]')?.getAttribute('content')).toBe('no-referrer');
    expect(doc.querySelector('base')?.getAttribute('target')).toBe('_blank');
  });

  it('allows remote images and styles (never scripts) once the user asks', () => {
    const csp = previewCsp(true, 'meta');
    expect(csp).toContain('img-src * http: https:');
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(parse(build('<p>x</p>', true).srcdoc).querySelector('meta[http-equiv]')?.getAttribute('content')).toBe(csp);
  });

  it('removes scripts, meta refresh, foreign <base> and prefetch hints', () => {
    const { srcdoc } = build(`<html><head><base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example">
      <link rel="dns-prefetch" href="//tracker.example"><link rel="preconnect" href="https://tracker.example"></head>
      <body><script>alert(1)</script><p>ok</p></body></html>`);
    const doc = parse(srcdoc);
    expect(doc.querySelectorAll('script')).toHaveLength(0);
    expect(doc.querySelector('meta[http-equiv="refresh"]')).toBeNull();
    expect(doc.querySelectorAll('base')).toHaveLength(1);
    expect(doc.querySelector('base')?.getAttribute('href')).toBeNull();
    expect(doc.querySelectorAll('link')).toHaveLength(0);
    expect(doc.body.textContent).toContain('ok');
  });

  it('points cid: images at the URL given for the part, in attributes and in CSS', () => {
    const { srcdoc, remoteCount } = build(`<body><img src="cid:logo@x"><img src="CID:<logo@x>">
      <div style="background:url('cid:logo@x')"></div><style>.a{background:url(cid:logo@x)}</style>
      <img src="cid:unknown@x"></body>`);
    const doc = parse(srcdoc);
    const imgs = [...doc.querySelectorAll('img')].map((i) => i.getAttribute('src'));
    expect(imgs[0]).toBe(cidUrl('logo@x'));
    expect(imgs[1]).toBe(cidUrl('logo@x'));
    expect(imgs[2]).toBe('cid:unknown@x');
    expect(doc.querySelector('div')!.getAttribute('style')).toContain(`url('${cidUrl('logo@x')}')`);
    expect(doc.querySelector('style')!.textContent).toContain(`url(${cidUrl('logo@x')})`);
    expect(remoteCount).toBe(0);
  });

  it('counts the remote references it blocks', () => {
    const { remoteCount } = build(`<html><head><link rel="stylesheet" href="https://fonts.example/css">
      <style>@import 'https://x.example/a.css'; .b{background:url(https://x.example/bg.png)}</style></head>
      <body background="http://x.example/bg2.png"><img src="https://t.example/pixel.gif"><img src="//t.example/p2.gif">
      <img srcset="https://x.example/1x.png 1x, https://x.example/2x.png 2x"><p style="background-image:url(http://x.example/s.png)">x</p>
      <img src="data:image/png;base64,AAAA"></body></html>`);
    expect(remoteCount).toBe(8);
  });

  it('keeps the doctype (standards mode) only when the mail has one', () => {
    expect(build('<!DOCTYPE html><html><body>x</body></html>').srcdoc.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(build('<p>x</p>').srcdoc.startsWith('<html>')).toBe(true);
  });
});

describe('normalizeHeaders', () => {
  it('reads lists of pairs, key/value objects and records', () => {
    expect(normalizeHeaders([{ key: 'Subject', value: 'Hi' }])).toEqual([{ key: 'Subject', value: 'Hi' }]);
    expect(normalizeHeaders([['To', 'a@b']])).toEqual([{ key: 'To', value: 'a@b' }]);
    expect(normalizeHeaders({ Received: ['one', 'two'], 'X-A': 'b' })).toEqual([
      { key: 'Received', value: 'one' },
      { key: 'Received', value: 'two' },
      { key: 'X-A', value: 'b' },
    ]);
    expect(normalizeHeaders(null)).toEqual([]);
    expect(normalizeHeaders('junk')).toEqual([]);
  });
});
