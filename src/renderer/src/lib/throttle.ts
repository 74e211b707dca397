/**
 * Runs `fn` at most once per `ms`: the first request runs as soon as the interval allows, requests made
 * while one is scheduled are folded into it.
 */
export function throttle(fn: () => void, ms: number): { (): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = -Infinity;
  const call = () => {
    if (timer) return;
    const wait = Math.max(0, last + ms - Date.now());
    timer = setTimeout(() => {
      timer = null;
      last = Date.now();
      fn();
    }, wait);
  };
  call.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return call;
}

/** Calls `fn(arg)` once `ms` after the last call. */
export function debounce<A>(fn: (arg: A) => void, ms: number): { (arg: A): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const call = (arg: A) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(arg);
    }, ms);
  };
  call.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return call;
}
