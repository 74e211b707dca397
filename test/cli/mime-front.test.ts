import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FRONT_EXTENSIONS, mimeFrontSource, type MimeDb } from '../../src/cli/mime-front.js';

/** koa's own mime-types (the one the headless bundle replaces), and its mime-db */
const fromKoa = createRequire(createRequire(import.meta.url).resolve('koa/package.json'));
const real = fromKoa('mime-types') as {
  lookup(p: unknown): string | false;
  charset(t: unknown): string | false;
  contentType(s: unknown): string | false;
  extension(t: unknown): string | false;
  types: Record<string, string>;
  extensions: Record<string, string[]>;
};
const db = createRequire(fromKoa.resolve('mime-types'))('mime-db') as MimeDb;

/** The generated front, evaluated as the bundle would; counts how often it loaded the real package. */
function front(): { mime: typeof real; realLoads: () => number } {
  let loads = 0;
  const exports = {} as typeof real;
  const req = (id: string) => {
    if (id === 'mime-types') {
      loads++;
      return real;
    }
    if (id === 'path') return path;
    throw new Error(`unexpected require(${id})`);
  };
  new Function('exports', 'require', mimeFrontSource(real, db))(exports, req);
  return { mime: exports, realLoads: () => loads };
}

const ODD = [undefined, null, 42, '', 'JSON', '.json', 'dir/file.JSON', 'a.b.c.png', 'file', 'nope', 'x.docx', '+json', 'text/plain; charset=latin1', 'TEXT/HTML', ' application/json ; x=1', 'application/unknown', 'text/x-unknown', 'constructor', '__proto__', 'hasOwnProperty'];

describe('the mime-types front of the headless bundle', () => {
  it('answers the names koa and the routes use without loading mime-db', () => {
    const { mime, realLoads } = front();
    for (const ext of FRONT_EXTENSIONS) expect(mime.contentType(ext), ext).toBe(real.contentType(ext));
    expect(mime.contentType('json')).toBe('application/json; charset=utf-8');
    expect(mime.contentType('text/plain')).toBe('text/plain; charset=utf-8');
    expect(mime.contentType('message/rfc822')).toBe('message/rfc822');
    expect(realLoads()).toBe(0);
  });

  it('gives the same charset and Content-Type as mime-types for every type of mime-db', () => {
    const { mime, realLoads } = front();
    for (const type of Object.keys(db)) {
      expect(mime.charset(type), type).toBe(real.charset(type));
      expect(mime.contentType(type), type).toBe(real.contentType(type));
      expect(mime.contentType(type.toUpperCase()), type).toBe(real.contentType(type.toUpperCase()));
    }
    expect(realLoads()).toBe(0);
  });

  it('looks up every extension as mime-types does, loading it for the ones outside its table', () => {
    const { mime, realLoads } = front();
    for (const ext of Object.keys(real.types)) {
      expect(mime.lookup(ext), ext).toBe(real.lookup(ext));
      expect(mime.lookup(`some/file.${ext.toUpperCase()}`), ext).toBe(real.lookup(`some/file.${ext.toUpperCase()}`));
    }
    expect(realLoads()).toBe(1);
  });

  it('treats odd input as mime-types does', () => {
    const { mime } = front();
    for (const x of ODD) {
      expect(mime.lookup(x), String(x)).toBe(real.lookup(x));
      expect(mime.charset(x), String(x)).toBe(real.charset(x));
      expect(mime.contentType(x), String(x)).toBe(real.contentType(x));
      expect(mime.extension(x), String(x)).toBe(real.extension(x));
    }
    expect(mime.types).toBe(real.types);
    expect(mime.extensions).toBe(real.extensions);
  });
});
