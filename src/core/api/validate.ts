import type Koa from 'koa';
import type { z } from 'zod';
import { fieldIssues } from '../../shared/api/common.js';
import { ValidationError } from './middleware/errors.js';

/** Parses the request body with a shared schema; a violation is a 422 naming each field. */
export function parseBody<S extends z.ZodType>(ctx: Koa.Context, schema: S): z.infer<S> {
  const body = (ctx.request as { body?: unknown }).body;
  const r = schema.safeParse(body === undefined ? {} : body);
  if (!r.success) throw new ValidationError(fieldIssues(r.error));
  return r.data;
}

/** Parses the query string with a shared schema; a violation is a 422 naming each parameter. */
export function parseQuery<S extends z.ZodType>(ctx: Koa.Context, schema: S): z.infer<S> {
  const r = schema.safeParse(ctx.query);
  if (!r.success) throw new ValidationError(fieldIssues(r.error));
  return r.data;
}
