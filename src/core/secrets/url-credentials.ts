const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i;

/** The URL without its `user:password@` part, written as given otherwise (what answers and events show). */
export function withoutUrlCredentials(url: string): string;
export function withoutUrlCredentials(url: string | null): string | null;
export function withoutUrlCredentials(url: string | null): string | null {
  return url === null ? null : url.replace(USERINFO, '$1');
}

export function hasUrlCredentials(url: string | null | undefined): boolean {
  return !!url && USERINFO.test(url);
}
