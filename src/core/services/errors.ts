import type { FieldIssue } from '../../shared/api/index.js';
import { RelayError } from '../errors.js';

export type { FieldIssue } from '../../shared/api/index.js';

/** Schema or rule violation naming each field: 422, as genro-mail-proxy (pydantic) answers. */
export class ValidationError extends RelayError {
  constructor(readonly issues: FieldIssue[]) {
    super(422, 'validation_error', issues.map((i) => `${i.field || 'body'}: ${i.message}`).join('; '), issues);
  }
}
