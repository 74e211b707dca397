import { fieldIssues } from '../../shared/api/common.js';
import { messageInput, type MessageInput } from '../../shared/api/classic.js';

/** One message of an add-messages batch, parsed on its own: a bad one is rejected alone, with the reason. */
export type ClassicParse =
  | { ok: true; input: MessageInput }
  /** `id`: the message's id when it had a usable one */
  | { ok: false; id: string | null; reason: string };

/** genro-mail-proxy v0.6.10 checks these first, in this order; a problem with an earlier one is reported first. */
const FIRST_FIELDS = ['id', 'tenant_id', 'account_id', 'from', 'to', 'subject'];

const rank = (field: string): number => {
  const i = FIRST_FIELDS.indexOf(field.split('.')[0]);
  return i < 0 ? FIRST_FIELDS.length : i;
};

/** The value at a dotted field path; a key may itself hold dots (a header named 'X.Campaign'): the longest key wins. */
function valueAt(raw: unknown, field: string): unknown {
  let v = raw;
  let rest = field;
  while (rest !== '') {
    if (v === null || typeof v !== 'object') return undefined;
    const obj = v as Record<string, unknown>;
    const key = Object.keys(obj)
      .filter((k) => rest === k || rest.startsWith(`${k}.`))
      .sort((a, b) => b.length - a.length)[0];
    if (key === undefined) return undefined;
    v = obj[key];
    rest = rest.slice(key.length + 1);
  }
  return v;
}

/** Parses one message with the classic schema; its first problem becomes `missing <field>` or `invalid <field>: <why>`. */
export function parseClassicMessage(raw: unknown): ClassicParse {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, id: null, reason: 'invalid payload' };
  const r = messageInput.safeParse(raw);
  if (r.success) return { ok: true, input: r.data };
  const rawId = (raw as Record<string, unknown>).id;
  const id = typeof rawId === 'string' && rawId !== '' ? rawId : null;
  const [first] = fieldIssues(r.error).sort((a, b) => rank(a.field) - rank(b.field));
  const missing = valueAt(raw, first.field) === undefined || valueAt(raw, first.field) === null;
  return { ok: false, id, reason: missing ? `missing ${first.field}` : `invalid ${first.field}: ${first.message}` };
}
