import { z } from 'zod';

/**
 * `schema | null` for a schema with an id: zod-to-openapi 8 drops the null of `.nullable()` around a
 * `$ref` (asteasolutions/zod-to-openapi#387), a union keeps it.
 */
export const orNull = <T extends z.ZodType>(schema: T) => z.union([schema, z.null()]);

/** `{ok: true}`: a command done (classic routes and the relay's deletes). */
export const okAnswer = z.object({ ok: z.literal(true) }).strict().meta({ id: 'Ok' });

/**
 * One line naming what did not match: "path: message; ..." for the first few issues. For a union,
 * the branch that came closest is described.
 */
export function describeIssues(error: z.ZodError, max = 3): string {
  const issues = error.issues.flatMap((i) => closest(i, []));
  const parts = issues.slice(0, max).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  return parts.join('; ') + (issues.length > max ? ` (+${issues.length - max} more)` : '');
}

type Issue = z.core.$ZodIssue;

function closest(issue: Issue, prefix: PropertyKey[]): { path: PropertyKey[]; message: string }[] {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [{ path, message: issue.message }];
  // the branch that got deepest into the value before failing, then the one with fewest complaints
  const depth = (branch: Issue[]) => Math.max(...branch.map((i) => i.path.length));
  const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) || (depth(b) === depth(a) && b.length < a.length) ? b : a));
  return best.flatMap((i) => closest(i, path));
}
