import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import type Koa from 'koa';
import { uiCsp } from '../../../shared/csp.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Files directly under / that the UI ships (favicon and the like); never an API path. */
const ROOT_FILE = /^\/[\w-][\w.-]*\.(?:svg|png|ico|txt|webmanifest)$/;
/** Vite's output: flat, content-hashed file names under /assets/. */
const ASSET = /^\/assets\/[\w-][\w.-]*$/;
/** Paths that belong to the API: never answered with the UI's page. */
const API_PREFIX = /^\/(?:api|commands|account|accounts|messages|metrics|health|status|openapi\.json)(?:\/|$)/;

/**
 * The page's own policy. The captured-mail preview is an iframe `srcdoc`, which inherits this policy, so
 * images, styles and fonts stay open here; the preview document narrows them again with its own policy
 * (remote content blocked until the user allows it) and the frame is sandboxed without scripts.
 */
const UI_CSP = uiCsp('header');

/** Paths of the web UI's static files (public: they hold no data). */
export function isUiAsset(p: string): boolean {
  return p === '/' || p === '/index.html' || ASSET.test(p) || ROOT_FILE.test(p);
}

function moduleDir(): string {
  return typeof __dirname === 'string' ? __dirname : path.dirname(fileURLToPath(import.meta.url));
}

/** The nearest folder holding a package.json, from this module upwards (works from src/ and from out/). */
export function projectRoot(from: string = moduleDir()): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** Where the built renderer is: the configured folder, else `out/renderer` in the project. */
export function resolveUiDir(configured: string | null): string {
  return path.resolve(configured ?? path.join(projectRoot(), 'out', 'renderer'));
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Genro Mail Relay: web UI not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}
code{background:#eef0f3;padding:.1em .35em;border-radius:4px}@media(prefers-color-scheme:dark){body{background:#14171b;color:#e4e7eb}code{background:#232a35}}</style>
</head><body>
<h1>The web UI has not been built</h1>
<p>The relay is running and its API answers, but the files of the web UI are missing.</p>
<p>Build them once from the project folder, then reload this page:</p>
<p><code>npm run build</code></p>
<p>(or only the UI: <code>npx vite build --config src/renderer/vite.config.ts</code>)</p>
<p>The API is described at <a href="/openapi.json">/openapi.json</a>.</p>
</body></html>
`;

interface FileHit {
  file: string;
  stat: fs.Stats;
}

async function statFile(dir: string, relative: string): Promise<FileHit | null> {
  const file = path.resolve(dir, relative);
  if (file !== dir && !file.startsWith(dir + path.sep)) return null;
  try {
    const stat = await fs.promises.stat(file);
    return stat.isFile() ? { file, stat } : null;
  } catch {
    return null;
  }
}

function send(c: Koa.Context, hit: FileHit, cacheControl: string): void {
  c.set('Cache-Control', cacheControl);
  c.set('X-Content-Type-Options', 'nosniff');
  c.set('ETag', `W/"${hit.stat.size.toString(16)}-${Math.floor(hit.stat.mtimeMs).toString(16)}"`);
  c.lastModified = hit.stat.mtime;
  c.type = CONTENT_TYPES[path.extname(hit.file).toLowerCase()] ?? 'application/octet-stream';
  c.status = 200;
  if (c.fresh) {
    c.status = 304;
    return;
  }
  c.body = fs.createReadStream(hit.file);
  c.length = hit.stat.size;
}

/** The web UI's static files at /, with the page itself for client-side routes. */
export function uiRoutes(uiDir: string | null): Router {
  const dir = resolveUiDir(uiDir);
  const router = new Router();

  const serveIndex = async (c: Koa.Context) => {
    const hit = await statFile(dir, 'index.html');
    c.set('Content-Security-Policy', UI_CSP);
    c.set('Referrer-Policy', 'no-referrer');
    if (!hit) {
      c.status = 503;
      c.set('Cache-Control', 'no-store');
      c.type = 'text/html; charset=utf-8';
      c.body = NOT_BUILT_PAGE;
      return;
    }
    // always revalidated: it names the hashed assets of the current build
    send(c, hit, 'no-cache');
  };

  router.get(/^\/(?:index\.html)?$/, serveIndex);

  router.get(ASSET, async (c) => {
    const hit = await statFile(dir, c.path.slice(1));
    if (!hit) {
      c.status = 404;
      c.type = 'text/plain; charset=utf-8';
      c.body = 'not found';
      return;
    }
    send(c, hit, 'public, max-age=31536000, immutable');
  });

  router.get(ROOT_FILE, async (c, next) => {
    const hit = await statFile(dir, c.path.slice(1));
    if (!hit) return next();
    send(c, hit, 'public, max-age=3600');
  });

  // client-side routes opened directly: a browser asking for a page gets the app
  router.get(/^\/.*$/, async (c, next) => {
    if (API_PREFIX.test(c.path) || path.extname(c.path) !== '' || !/\btext\/html\b/i.test(c.get('Accept'))) return next();
    await serveIndex(c);
  });

  return router;
}
