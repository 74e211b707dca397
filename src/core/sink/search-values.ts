/** The values of the search's `before:`/`after:` and `larger:`/`smaller:` operators. */

const ISO = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const MONTH_NAME = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b/i;

/**
 * A date or date-time as epoch seconds, or null when it is none: `2026-05-31`, `2026/05/31`,
 * `2026-05-31T14:00`, `2026-05-31 14:00:30+02:00`, `31 May 2026`, `May 31, 2026`. Without a zone it is
 * in `timeZone` (an IANA name, as Mailpit's `tz`), else UTC.
 */
export function parseSearchDate(text: string, timeZone?: string): number | null {
  const m = ISO.exec(text.trim());
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', zone] = m;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    if (month < 1 || month > 12 || day < 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
    const ms = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s));
    // Date.UTC rolls 31 February over into March: a day the month does not have is no date
    if (new Date(ms).getUTCDate() !== day) return null;
    return Math.floor(ms / 1000) - (zone ? offsetSeconds(zone) : zoneOffsetSeconds(ms, timeZone));
  }
  if (!MONTH_NAME.test(text) || !/\d{4}/.test(text)) return null;
  const hasZone = /(?:\b(?:utc|gmt|z)\b|[+-]\d{2}:?\d{2})\s*$/i.test(text);
  const ms = Date.parse(hasZone ? text : `${text} UTC`);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

/** How far `timeZone` is ahead of UTC at the wall-clock time `wallMs` (read as if it were UTC); 0 for none or an unknown zone. */
export function zoneOffsetSeconds(wallMs: number, timeZone: string | undefined): number {
  if (!timeZone) return 0;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  } catch {
    return 0;
  }
  const at = (ms: number) => {
    const p = Object.fromEntries(format.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
    return (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000) / 1000;
  };
  // the offset at the instant the wall time names: guessed from the wall time, then corrected once (DST edges)
  const guess = at(wallMs);
  return at(wallMs - guess * 1000);
}

function offsetSeconds(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
}

/** Mailpit's sizeToBytes: `500`, `1.5m`, `20kb`, `2 MB` (k/kb: KiB, m/mb: MiB); null for anything else. */
export function parseSearchSize(text: string): number | null {
  const m = /^(\d+)(\.\d+)?\s?([a-z]{1,2})?$/.exec(text.toLowerCase());
  if (!m) return null;
  const value = Number(`${m[1]}${m[2] ?? ''}`);
  const unit = m[3] ?? '';
  const scale = unit === '' ? 1 : unit === 'k' || unit === 'kb' ? 1024 : unit === 'm' || unit === 'mb' ? 1024 * 1024 : 0;
  if (!scale || !Number.isFinite(value)) return null;
  return Math.floor(value * scale);
}
