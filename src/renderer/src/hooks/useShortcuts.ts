import { useEffect, useLayoutEffect, useRef } from 'react';

/** True when a key press belongs to a text field rather than to the app's shortcuts. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

/** Global single-key shortcuts (ignored while typing and with Ctrl/Alt/Meta held). */
export function useShortcuts(map: Record<string, (e: KeyboardEvent) => void>, enabled = true): void {
  const ref = useRef(map);
  // before paint, so a key pressed right after a render never runs the previous render's handlers
  useLayoutEffect(() => {
    ref.current = map;
  });
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey) return;
      // a modal dialog handles its own keys (Escape cancels it, and only it)
      if (e.target instanceof Element && e.target.closest('dialog')) return;
      if (e.key !== 'Escape' && isTyping(e.target)) return;
      const fn = ref.current[e.key];
      if (fn) fn(e);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}
