/** The one failure a verifier reports: the token is not accepted. `reason` says why (log it; do not show it to the bearer). */
export class VerificationError extends Error {
  readonly code = 'invalid_token' as const;
  readonly status = 401;

  constructor(readonly reason: string) {
    super(`invalid_token: ${reason}`);
    this.name = 'VerificationError';
  }
}

export function isVerificationError(error: unknown): error is VerificationError {
  return error instanceof VerificationError;
}
