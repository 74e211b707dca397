import { z } from 'zod';

/** Error bodies. The relay's /api routes answer `{error: {code, message}}`; classic routes `{detail}`. */

export const fieldIssue = z
  .object({
    /** dotted path of the offending field, e.g. "messages.3.subject" ('' for the body itself) */
    field: z.string(),
    message: z.string(),
  })
  .strict()
  .meta({ id: 'FieldIssue' });
export type FieldIssue = z.infer<typeof fieldIssue>;

export const relayError = z
  .object({
    error: z
      .object({
        /** machine-readable: not_found, validation_error, conflict, unauthorized, invalid_json, ... */
        code: z.string(),
        message: z.string(),
        /** validation errors name each field */
        fields: z.array(fieldIssue).optional(),
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'RelayError', description: 'Error answer of the /api routes' });
export type RelayErrorBody = z.infer<typeof relayError>;

/** One schema violation as genro-mail-proxy (pydantic) reports it. */
export const classicValidationIssue = z
  .object({
    loc: z.array(z.string()),
    msg: z.string(),
    type: z.string(),
  })
  .strict()
  .meta({ id: 'ClassicValidationIssue' });

/** A refused item of add-messages (`id` null when the message had none). */
export const classicRejectedItem = z.object({ id: z.string().nullable(), reason: z.string() }).strict();

/** `detail` as an object: "all messages rejected" (with the list) or a batch over the limit (rejected null). */
export const classicErrorDetail = z
  .object({ error: z.string(), rejected: z.array(classicRejectedItem).nullable() })
  .strict()
  .meta({ id: 'ClassicErrorDetail' });
export type ClassicErrorDetail = z.infer<typeof classicErrorDetail>;

export const classicError = z
  .object({ detail: z.union([z.string(), z.array(classicValidationIssue), classicErrorDetail]) })
  .strict()
  .meta({ id: 'ClassicError', description: 'Error answer of the genro-mail-proxy routes' });
export type ClassicErrorBody = z.infer<typeof classicError>;
