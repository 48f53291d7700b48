/**
 * Gusto-shaped error responses: `{"errors":[{error_key, category, message, metadata?, errors?}]}`.
 * Handlers throw a SandboxHttpError; the server turns it into the response, so a handler that throws
 * before mutating anything leaves the state unchanged (every validation runs before the first write).
 */

export interface ErrorItem {
  error_key: string;
  category: string;
  message?: string;
  metadata?: Record<string, unknown>;
  errors?: ErrorItem[];
}

export class SandboxHttpError extends Error {
  override readonly name = 'SandboxHttpError';
  constructor(
    readonly status: number,
    readonly errors: ErrorItem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(errors.map((e) => `${e.category}/${e.error_key}: ${e.message ?? ''}`).join('; '));
  }

  body(): { errors: ErrorItem[] } {
    return { errors: this.errors };
  }
}

export const notFound = (message = 'The requested resource was not found.'): SandboxHttpError =>
  new SandboxHttpError(404, [{ error_key: 'request', category: 'not_found', message }]);

export const unauthorized = (message: string): SandboxHttpError =>
  new SandboxHttpError(401, [{ error_key: 'request', category: 'invalid_token', message }]);

export const badVersion = (message: string): SandboxHttpError =>
  new SandboxHttpError(406, [{ error_key: 'request', category: 'invalid_api_version', message }]);

/** 422 for a rule about the request's content. */
export const invalidAttribute = (
  errorKey: string,
  message: string,
  metadata?: Record<string, unknown>,
): SandboxHttpError =>
  new SandboxHttpError(422, [
    { error_key: errorKey, category: 'invalid_attribute_value', message, ...(metadata ? { metadata } : {}) },
  ]);

/** 422 for an action the resource's current state does not allow. */
export const invalidOperation = (message: string, metadata?: Record<string, unknown>): SandboxHttpError =>
  new SandboxHttpError(422, [
    { error_key: 'base', category: 'invalid_operation', message, ...(metadata ? { metadata } : {}) },
  ]);

export const unprocessable = (errors: ErrorItem[]): SandboxHttpError => new SandboxHttpError(422, errors);

/** 409: the caller sent a version that is no longer current; refetch and retry. */
export const staleVersion = (metadata?: Record<string, unknown>): SandboxHttpError =>
  new SandboxHttpError(409, [
    {
      error_key: 'base',
      category: 'invalid_resource_version',
      message: 'You are attempting to update a resource using an out-of-date version.',
      ...(metadata ? { metadata } : {}),
    },
  ]);

export const internalError = (status = 500): SandboxHttpError =>
  new SandboxHttpError(status, [
    { error_key: 'request', category: 'internal_error', message: 'An unexpected error has occurred.' },
  ]);
