/** Positional parameters ($1, $2, ...) for statements built piece by piece. */
export class Params {
  readonly values: unknown[] = [];

  /** adds a value and answers its placeholder */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** PostgreSQL text holds no NUL character; the display columns drop it (the payload keeps it, JSON-escaped). */
export const noNul = (s: string): string => (s.includes('\u0000') ? s.split('\u0000').join('') : s);
