/** The shortest API token the relay accepts: a guessable token would open the whole API. */
export const MIN_API_TOKEN_LENGTH = 16;

/** Why a configured API token is refused, or null when it is acceptable. */
export function apiTokenProblem(token: string): string | null {
  const length = token.trim().length;
  if (length >= MIN_API_TOKEN_LENGTH) return null;
  return `the API token must be at least ${MIN_API_TOKEN_LENGTH} characters, got ${length} (leave it unset and a long one is generated)`;
}
