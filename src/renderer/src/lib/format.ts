/** Display helpers. Timestamps are epoch seconds, as everywhere in the relay. */

const pad = (n: number) => String(n).padStart(2, '0');

/** `14:03:22` today, `2026-05-01 14:03` on other days. */
export function formatTime(ts: number | null | undefined, now: number = Date.now() / 1000): string {
  if (ts === null || ts === undefined) return '—';
  const d = new Date(ts * 1000);
  const today = new Date(now * 1000);
  const sameDay = d.toDateString() === today.toDateString();
  const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (sameDay) return hms;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Full local date and time, for titles and detail views. */
export function formatDateTime(ts: number | null | undefined): string {
  if (ts === null || ts === undefined) return '—';
  const d = new Date(ts * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `45s`, `3m 05s`, `2h 10m`, `3d 4h`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** `in 3m 05s` / `12s ago` / `now`. */
export function formatRelative(ts: number, now: number): string {
  const diff = ts - now;
  if (Math.abs(diff) < 1) return 'now';
  return diff > 0 ? `in ${formatDuration(diff)}` : `${formatDuration(-diff)} ago`;
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export const PRIORITY_NAMES = ['immediate', 'high', 'medium', 'low'] as const;

export function priorityName(p: number | null | undefined): string {
  return p !== null && p !== undefined && PRIORITY_NAMES[p] ? PRIORITY_NAMES[p] : String(p ?? '—');
}

export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return n.toLocaleString('en-US');
}

/** `to` may come as a list or a comma-joined string. */
export function recipients(to: string[] | string | null | undefined): string {
  if (!to) return '';
  return Array.isArray(to) ? to.join(', ') : to;
}

export function humanize(s: string): string {
  const t = s.replace(/[_-]+/g, ' ').trim();
  return t.charAt(0).toUpperCase() + t.slice(1);
}
