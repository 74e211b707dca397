import { headerText } from './mime-words.js';

/** Unfolded values of the wanted header fields of one MIME entity, and where its body starts. */
export interface HeaderBlock {
  fields: Map<string, string>;
  bodyStart: number;
}

/**
 * Reads the header block that starts at `start`: the first occurrence of each wanted field
 * (lower-case names), unfolded, each line and value clipped to `maxValue`. Linear in the block and
 * copies nothing beyond the clipped values, so a huge or broken header costs no memory.
 */
export function readHeaderBlock(raw: Buffer, start: number, end: number, wanted: ReadonlySet<string>, maxValue: number): HeaderBlock {
  const fields = new Map<string, string>();
  // most header lines are not wanted: those are skipped by the length of their name, without a string
  let longest = 0;
  for (const name of wanted) longest = Math.max(longest, name.length);
  let current: string | null = null;
  let pos = start;
  while (pos < end) {
    let nl = raw.indexOf(0x0a, pos);
    if (nl < 0 || nl >= end) nl = end;
    let lineEnd = nl;
    if (lineEnd > pos && raw[lineEnd - 1] === 0x0d) lineEnd--;
    if (lineEnd === pos) return { fields, bodyStart: Math.min(nl + 1, end) };
    const first = raw[pos];
    const line = raw.subarray(pos, Math.min(lineEnd, pos + maxValue));
    if (first === 0x20 || first === 0x09) {
      const value = current === null ? undefined : fields.get(current);
      if (value !== undefined && value.length < maxValue) fields.set(current!, (value + headerText(line)).slice(0, maxValue));
    } else {
      const colon = line.indexOf(0x3a);
      const name = colon > 0 && colon <= longest + 8 ? raw.toString('latin1', pos, pos + colon).trim().toLowerCase() : null;
      current = name !== null && wanted.has(name) && !fields.has(name) ? name : null;
      if (current !== null) fields.set(current, headerText(line.subarray(colon + 1)));
    }
    pos = nl + 1;
  }
  return { fields, bodyStart: end };
}

/** The MIME fields that shape an entity's body. */
export const MIME_FIELDS: ReadonlySet<string> = new Set(['content-type', 'content-disposition', 'content-transfer-encoding', 'content-id']);
