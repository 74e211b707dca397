import { z } from 'zod';
import { okAnswer } from './common.js';
import { body, json, RELAY_401, RELAY_403, relayFail, type ApiRoute } from './route-kit.js';

// ---- PUT /api/captured/read ----------------------------------------------------------------------

/**
 * Marks captured mail read or unread: the `ids` given, else every message the search `q` matches,
 * else all of it ("mark all read"). An empty `ids` list is refused rather than read as "all".
 */
export const capturedReadBody = z
  .object({
    read: z.boolean(),
    /** at most 1000 captured ids */
    ids: z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).min(1).max(1000).optional(),
    q: z.string().max(500).optional(),
  })
  .strict()
  .meta({ id: 'CapturedReadBody' });
export type CapturedReadBody = z.infer<typeof capturedReadBody>;

export const CAPTURED_READ_ROUTES: readonly ApiRoute[] = [
  {
    method: 'put',
    path: '/api/captured/read',
    summary: 'Mark captured mail read or unread: the ids given, else what the search q matches, else all of it',
    request: { body: body(capturedReadBody) },
    responses: {
      200: json(okAnswer, 'marked'),
      ...RELAY_401,
      ...RELAY_403,
      400: relayFail('both ids and q'),
      422: relayFail('invalid body (the field is named)'),
    },
  },
];
