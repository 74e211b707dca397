import { headerText } from './mime-words.js';

/** Unfolded values of the wanted header fields of one MIME entity, and where its body starts. */
export interface HeaderBlock {
  fields: Map<string, string>;
  /** later occurrences of the repeatable fields (mailparser lists the addresses of every To header) */
  repeats: Map<string, string[]> | null;
  bodyStart: number;
}

/** later occurrences kept per field at most: the summary lists 200 addresses anyway */
const MAX_REPEATS = 50;
const NONE: ReadonlySet<string> = new Set();

/**
 * Reads the header block that starts at `start`: the first occurrence of each wanted field
 * (lower-case names), and of the `repeatable` ones every occurrence, unfolded, each line and value
 * clipped to `maxValue`. Linear in the block and copies nothing beyond the clipped values, so a
 * huge or broken header costs no memory.
 */
export function readHeaderBlock(raw: Buffer, start: number, end: number, wanted: ReadonlySet<string>, maxValue: number, repeatable = NONE): HeaderBlock {
  const fields = new Map<string, string>();
  let repeats: Map<string, string[]> | null = null;
  // most header lines are not wanted: those are skipped by the length of their name, without a string
  let longest = 0;
  for (const name of wanted) longest = Math.max(longest, name.length);
  let current: string | null = null;
  /** set when the current field is a repeat: its value is the last of this list */
  let list: string[] | null = null;
  let pos = start;
  while (pos < end) {
    let nl = raw.indexOf(0x0a, pos);
    if (nl < 0 || nl >= end) nl = end;
    let lineEnd = nl;
    if (lineEnd > pos && raw[lineEnd - 1] === 0x0d) lineEnd--;
    if (lineEnd === pos) return { fields, repeats, bodyStart: Math.min(nl + 1, end) };
    const first = raw[pos];
    const line = raw.subarray(pos, Math.min(lineEnd, pos + maxValue));
    if (first === 0x20 || first === 0x09) {
      const value = current === null ? undefined : list ? list[list.length - 1] : fields.get(current);
      if (value !== undefined && value.length < maxValue) {
        const unfolded = (value + headerText(line)).slice(0, maxValue);
        if (list) list[list.length - 1] = unfolded;
        else fields.set(current!, unfolded);
      }
    } else {
      const colon = line.indexOf(0x3a);
      const name = colon > 0 && colon <= longest + 8 ? raw.toString('latin1', pos, pos + colon).trim().toLowerCase() : null;
      current = null;
      list = null;
      if (name !== null && wanted.has(name)) {
        const value = headerText(line.subarray(colon + 1));
        if (!fields.has(name)) {
          current = name;
          fields.set(name, value);
        } else if (repeatable.has(name)) {
          repeats ??= new Map();
          const later = repeats.get(name) ?? [];
          repeats.set(name, later);
          if (later.length < MAX_REPEATS) {
            later.push(value);
            current = name;
            list = later;
          }
        }
      }
    }
    pos = nl + 1;
  }
  return { fields, repeats, bodyStart: end };
}

/** Every value of a field, in order (first occurrence, then the repeats). */
export function allValues(block: HeaderBlock, name: string): string[] {
  const first = block.fields.get(name);
  if (first === undefined) return [];
  const later = block.repeats?.get(name);
  return later ? [first, ...later] : [first];
}

/** The MIME fields that shape an entity's body. */
export const MIME_FIELDS: ReadonlySet<string> = new Set(['content-type', 'content-disposition', 'content-transfer-encoding', 'content-id']);
/** The address fields mailparser reads from every occurrence. */
export const ADDRESS_LISTS: ReadonlySet<string> = new Set(['to', 'cc', 'bcc']);
