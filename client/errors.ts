import { ZodError } from 'zod';

/**
 * The one error type the service surface (typed client functions, HTTP API, CLI) speaks. Each code has
 * one HTTP status and one CLI exit code, so a caller can tell bad input from a refused operation from
 * a failure without parsing messages.
 */
export type ServiceErrorCode =
  | 'invalid_input' // the request is malformed; nothing was changed
  | 'unauthorized'
  | 'not_found' // no such run, payroll, contractor, ...
  | 'conflict' // the operation clashes with current state (e.g. a stale approval)
  | 'refused' // a business rule says no (e.g. cancel after the cutoff)
  | 'run_ended' // the payroll's last run ended without paying anyone: start it again with `restart`
  | 'timed_out' // the caller's wait ran out; the run carries on and nothing failed
  | 'method_not_allowed' // the path exists, the method does not (HTTP only)
  | 'upstream_failed' // Gusto or Temporal failed; safe to retry later
  | 'internal';

const HTTP_STATUS: Record<ServiceErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  refused: 422,
  run_ended: 409,
  timed_out: 504,
  method_not_allowed: 405,
  upstream_failed: 502,
  internal: 500,
};

const EXIT_CODE: Record<ServiceErrorCode, number> = {
  invalid_input: 2,
  unauthorized: 3,
  not_found: 4,
  conflict: 5,
  refused: 5,
  run_ended: 8,
  timed_out: 7,
  method_not_allowed: 2,
  upstream_failed: 6,
  internal: 1,
};

export interface ServiceErrorJson {
  code: ServiceErrorCode;
  message: string;
  /** Field path for invalid input, e.g. `edits[0].hours`. */
  field?: string;
  details?: unknown;
}

export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly field?: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }

  get exitCode(): number {
    return EXIT_CODE[this.code];
  }

  toJSON(): ServiceErrorJson {
    return { code: this.code, message: this.message, field: this.field, details: this.details };
  }
}

/** `edits.0.hours` → `edits[0].hours`: how people write field paths. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

/** The first zod issue as "field: rule", which is what a person needs to fix the input. */
export function fromZodError(err: ZodError, prefix?: string): ServiceError {
  const issue = err.issues[0];
  // An unknown key is reported on its parent; point at the key itself, which is what needs removing.
  const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const path = formatPath([
    ...(prefix ? [prefix] : []),
    ...(issue?.path ?? []),
    ...(unknownKey !== undefined ? [unknownKey] : []),
  ]);
  const rule = unknownKey !== undefined ? 'is not a known field' : issue?.message;
  const message = path ? `${path}: ${rule}` : (issue?.message ?? 'invalid input');
  return new ServiceError('invalid_input', message, path || undefined, err.issues);
}

/** Parses with a zod schema at the edge, throwing a ServiceError that names the field. */
export function parseInput<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } },
  value: unknown,
  prefix?: string,
): T {
  const result = schema.safeParse(value);
  if (!result.success) throw fromZodError(result.error, prefix);
  return result.data;
}

/** Rules are written "field: rule": the field such a message names, if it names one. */
export function fieldInMessage(message: string): string | undefined {
  return /^([A-Za-z_][\w.[\]]*): /.exec(message)?.[1];
}

/** `err` pointing at the field its message names, unless it points at one already. */
export function withMessageField(err: ServiceError): ServiceError {
  if (err.field) return err;
  const field = fieldInMessage(err.message);
  return field ? new ServiceError(err.code, err.message, field, err.details) : err;
}

/** Runs a call to Temporal or Gusto; what it throws becomes a ServiceError that names the field. */
export async function serviceCall<T>(
  fn: () => Promise<T>,
  withField: (err: ServiceError) => ServiceError = withMessageField,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw withField(toServiceError(err));
  }
}

/**
 * Maps what Temporal's client throws to a ServiceError. Workflows refuse operations by throwing
 * ApplicationFailure with type `Refused`, `Conflict`, `InvalidInput` or `NotFound` from update
 * validators or handlers; those arrive here as the failure's cause.
 */
export function toServiceError(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  if (err instanceof ZodError) return fromZodError(err);
  const e = err as { name?: string; message?: string; cause?: unknown };
  if (e?.name === 'WorkflowNotFoundError') return new ServiceError('not_found', e.message ?? 'no such run');
  const gusto = fromGustoError(err);
  if (gusto) return gusto;
  const failure = findApplicationFailure(err);
  if (failure) {
    const code = FAILURE_TYPES[failure.type ?? ''];
    if (code) return new ServiceError(code, failure.message, undefined, failure.details);
  }
  if (e?.name === 'ServiceError' && 'code' in (err as object)) return err as ServiceError;
  const message = e?.message ?? String(err);
  return new ServiceError('upstream_failed', message);
}

/** A run that ended as a refusal (workflows/refusals.ts), as the error its caller gets. */
export function refusalError(refusal: { message: string; type?: string }, details?: unknown): ServiceError {
  const code = FAILURE_TYPES[refusal.type ?? ''] ?? 'refused';
  return withMessageField(new ServiceError(code, refusal.message, undefined, details));
}

/**
 * Gusto errors thrown straight to the surface (reads the API makes itself, e.g. pay stubs, listings,
 * the webhook handshake). Matched by name: jest can load two copies of a module.
 */
function fromGustoError(err: unknown): ServiceError | undefined {
  const e = err as { name?: string; message?: string; status?: number; retryable?: boolean; field?: string };
  const message = e?.message ?? 'Gusto request failed';
  if (e?.name === 'GustoInputError') return new ServiceError('invalid_input', message, e.field);
  if (e?.name === 'GustoResponseError') return new ServiceError('upstream_failed', message);
  if (e?.name !== 'GustoApiError' || typeof e.status !== 'number') return undefined;
  const { status, endpoint, errors } = err as { status: number; endpoint?: string; errors?: unknown };
  const details = { status, endpoint, errors };
  if (status === 404) return new ServiceError('not_found', message, undefined, details);
  if (status === 409) return new ServiceError('conflict', message, undefined, details);
  // Our own credentials failing, throttling and outages are not the caller's to fix: retry later.
  if (e.retryable || status === 401 || status === 403 || status >= 500) {
    return new ServiceError('upstream_failed', message, undefined, details);
  }
  return new ServiceError('refused', message, undefined, details);
}

const FAILURE_TYPES: Record<string, ServiceErrorCode> = {
  Refused: 'refused',
  Conflict: 'conflict',
  InvalidInput: 'invalid_input',
  NotFound: 'not_found',
  GustoNotFound: 'not_found',
  GustoUnprocessable: 'refused',
  GustoClientError: 'refused',
  GustoConflict: 'conflict',
};

interface FailureLike {
  name?: string;
  type?: string | null;
  message: string;
  details?: unknown;
  cause?: unknown;
}

function findApplicationFailure(err: unknown): FailureLike | undefined {
  for (let cur = err as FailureLike | undefined, depth = 0; cur && depth < 8; depth++) {
    if (cur.name === 'ApplicationFailure') return cur;
    cur = cur.cause as FailureLike | undefined;
  }
  return undefined;
}
