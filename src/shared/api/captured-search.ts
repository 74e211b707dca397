import { z } from 'zod';

/** What GET /api/captured says about its search `q` beside the results. */

/** An operator the search could not use (unknown, or a bad date or size): searched as text or ignored, as `message` says. */
export const searchWarning = z.object({ operator: z.string(), message: z.string() }).strict().meta({ id: 'SearchWarning' });
export type SearchWarning = z.infer<typeof searchWarning>;

/** The additive fields of a searched page: every match counted (for "Delete these N results"), the warnings. */
export const capturedSearchFields = {
  /** how many messages the search matches (all pages), with `count=1` */
  matched: z.number().int().optional(),
  warnings: z.array(searchWarning).optional(),
};
