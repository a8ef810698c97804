// One error shape for the whole product: a stable machine-readable code, a human message and,
// where it applies, the offending field. HTTP adapters map codes to statuses; nothing else does.

export type ErrorCode = string;

export class PaystreamError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, field?: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'PaystreamError';
    this.code = code;
    this.field = field;
    this.details = details;
  }

  toJSON(): { code: string; message: string; field?: string } {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

/** A broken invariant: a bug, never a user error. Crash loudly rather than drift. */
export class InvariantViolation extends Error {
  constructor(message: string) {
    super(`invariant violated: ${message}`);
    this.name = 'InvariantViolation';
  }
}

export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}
