import { z } from 'zod';

/**
 * `schema | null` for a schema with an id: zod-to-openapi 8 drops the null of `.nullable()` around a
 * `$ref` (asteasolutions/zod-to-openapi#387), a union keeps it.
 */
export const orNull = <T extends z.ZodType>(schema: T) => z.union([schema, z.null()]);

/** Whether a text holds a control character (C0 or DEL): ids that end up in keys, paths and headers refuse them. */
export function hasControlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** `{ok: true}`: a command done (classic routes and the relay's deletes). */
export const okAnswer = z.object({ ok: z.literal(true) }).strict().meta({ id: 'Ok' });
export type OkAnswer = z.infer<typeof okAnswer>;

type Issue = z.core.$ZodIssue;

/**
 * One entry per violation, as a 422 names it: `field` is the dotted path ('' for the body itself).
 * For a union, the branch that came closest speaks; for a record key, the rule the key broke.
 */
export function fieldIssues(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.flatMap((i) => closest(i, [])).map((i) => ({ field: i.path.map(String).join('.'), message: i.message }));
}

/** One line naming what did not match: "path: message; ..." for the first few issues (see fieldIssues). */
export function describeIssues(error: z.ZodError, max = 3): string {
  const issues = fieldIssues(error);
  const parts = issues.slice(0, max).map((i) => `${i.field || '(root)'}: ${i.message}`);
  return parts.join('; ') + (issues.length > max ? ` (+${issues.length - max} more)` : '');
}

/** a branch that refused the value's type outright (a string given to z.number()) */
const wrongType = (branch: Issue[]) => branch.length === 1 && branch[0].code === 'invalid_type' && branch[0].path.length === 0;

function closest(issue: Issue, prefix: PropertyKey[]): { path: PropertyKey[]; message: string }[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_key' || issue.code === 'invalid_element') return issue.issues.flatMap((i) => closest(i, path));
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [{ path, message: issue.message }];
  const branches = issue.errors;
  if (branches.every(wrongType)) {
    const expected = [...new Set(branches.map((b) => (b[0] as z.core.$ZodIssueInvalidType).expected))];
    const received = /received (\w+)/.exec(branches[0][0].message)?.[1];
    return [{ path, message: `Invalid input: expected ${expected.join(' or ')}${received ? `, received ${received}` : ''}` }];
  }
  // of the branches that took the value's type: the one that got deepest into it, then the one with fewest complaints
  const depth = (branch: Issue[]) => Math.max(...branch.map((i) => i.path.length));
  const best = branches
    .filter((b) => !wrongType(b))
    .reduce((a, b) => (depth(b) > depth(a) || (depth(b) === depth(a) && b.length < a.length) ? b : a));
  return best.flatMap((i) => closest(i, path));
}
