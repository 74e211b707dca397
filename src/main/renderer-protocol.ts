import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProtocolLike } from './electron-types.js';

/**
 * The built renderer is served from app://renderer/ rather than file://: a standard, secure origin
 * with ordinary web rules, so the file:// privileges fuse can stay off.
 */
export const RENDERER_SCHEME = 'app';
export const RENDERER_HOST = 'renderer';
export const RENDERER_ORIGIN = `${RENDERER_SCHEME}://${RENDERER_HOST}`;
export const RENDERER_ENTRY_URL = `${RENDERER_ORIGIN}/index.html`;

/** Must run before the app is ready. */
export function registerRendererScheme(protocol: Pick<ProtocolLike, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: RENDERER_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

/**
 * The file an app:// URL names inside the renderer folder, or null when it points elsewhere.
 * Paths without a file extension are client-side routes and get index.html.
 */
export function resolveRendererFile(rendererDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${RENDERER_SCHEME}:` || url.host !== RENDERER_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, `.${path.posix.normalize(pathname)}`);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  if (pathname === '/' || !path.extname(pathname)) return path.join(root, 'index.html');
  return file;
}

/** Serves app://renderer/ from the built renderer folder. */
export function handleRendererProtocol(
  protocol: Pick<ProtocolLike, 'handle'>,
  rendererDir: string,
  fetchFile: (fileUrl: string) => Promise<Response>,
): void {
  protocol.handle(RENDERER_SCHEME, async (request) => {
    const file = resolveRendererFile(rendererDir, request.url);
    if (!file) return new Response('forbidden', { status: 403 });
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return new Response('not found', { status: 404 });
    return fetchFile(pathToFileURL(file).toString());
  });
}
