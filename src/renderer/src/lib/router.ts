import { useEffect, useState } from 'react';

/** Client routes live in the URL fragment (`#/captured/12`), so the relay serves a single page at `/`. */
export type View = 'queue' | 'captured' | 'accounts' | 'settings' | 'tenants';
/** `tenants` only shows on a relay with registered tenants */
export const VIEWS: readonly View[] = ['queue', 'captured', 'accounts', 'settings', 'tenants'];

export interface Route {
  view: View;
  /** selected item: message id, captured id, account id or 'new' */
  id?: string;
  params: Record<string, string>;
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean);
  const view = (VIEWS as readonly string[]).includes(parts[0]) ? (parts[0] as View) : 'queue';
  let id: string | undefined;
  if (parts.length > 1) {
    try {
      id = decodeURIComponent(parts.slice(1).join('/'));
    } catch {
      id = parts.slice(1).join('/');
    }
  }
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(query)) if (k !== 'token') params[k] = v;
  return { view, id, params };
}

export function routeHref(view: View, id?: string | number, params: Record<string, string | undefined> = {}): string {
  let href = `#/${view}`;
  if (id !== undefined && id !== '') href += `/${encodeURIComponent(String(id))}`;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) qs.set(k, v);
  const s = qs.toString();
  return s ? `${href}?${s}` : href;
}

export function navigate(view: View, id?: string | number, params: Record<string, string | undefined> = {}): void {
  const href = routeHref(view, id, params);
  if (window.location.hash !== href) window.location.hash = href;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
