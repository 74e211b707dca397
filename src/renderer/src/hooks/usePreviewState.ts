import { useCallback, useMemo, useSyncExternalStore } from 'react';

/**
 * The HTML preview's choices outlive the preview (it unmounts when another tab of the mail is shown):
 * the width is one choice for every mail; "load remote images" is given per mail (keyed by its HTML),
 * so allowing one sender's trackers never allows another's. Kept for the page's lifetime only.
 */
const REMEMBERED_MAILS = 200;

let width: string | null = null;
const remoteAllowed = new Set<string>();
const listeners = new Set<() => void>();
let version = 0;

function changed(): void {
  version++;
  for (const l of listeners) l();
}
function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
const snapshot = () => version;

/** The width picked last in any preview (`initial` until one is picked). */
export function usePreviewWidth<W extends string>(initial: W): [W, (w: W) => void] {
  useSyncExternalStore(subscribe, snapshot, snapshot);
  const set = useCallback((w: W) => {
    width = w;
    changed();
  }, []);
  return [(width ?? initial) as W, set];
}

/** cyrb53: a 53-bit hash, so the choice is kept without keeping every mail's HTML */
function hashOf(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `${s.length}:${(4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)}`;
}

/** Whether this mail's remote content was allowed (the mail is known by its HTML). */
export function useRemoteAllowed(html: string): [boolean, (allow: boolean) => void] {
  useSyncExternalStore(subscribe, snapshot, snapshot);
  const mailKey = useMemo(() => hashOf(html), [html]);
  const set = useCallback(
    (allow: boolean) => {
      remoteAllowed.delete(mailKey);
      if (allow) remoteAllowed.add(mailKey);
      // forget the oldest choices first (a Set keeps insertion order)
      while (remoteAllowed.size > REMEMBERED_MAILS) remoteAllowed.delete(remoteAllowed.values().next().value!);
      changed();
    },
    [mailKey],
  );
  return [remoteAllowed.has(mailKey), set];
}

/** For tests: back to a fresh page's state. */
export function resetPreviewState(): void {
  width = null;
  remoteAllowed.clear();
  changed();
}
