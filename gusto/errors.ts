/**
 * The only errors the Gusto client throws. They are built from scratch (never wrapping got's errors,
 * whose `options` carry the Authorization header), so their messages, properties and JSON forms are
 * safe to log, to put in Temporal failure details, and to show an operator.
 */
import { redact, redactValue } from './redact.js';

/** One entry of Gusto's `errors[]` (Unprocessable-Entity-Error-Object and friends). */
export interface GustoErrorItem {
  error_key: string;
  category: string;
  message?: string;
  metadata?: Record<string, unknown>;
  /** Nested errors, e.g. per employee compensation under a payroll-level error. */
  errors?: GustoErrorItem[];
}

/** 0 stands for "no HTTP response": timeout, refused or reset connection. */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/** "category/error_key: message", depth-first over nested errors, for one-line summaries. */
export function describeErrorItems(items: readonly GustoErrorItem[], limit = 5): string {
  const parts: string[] = [];
  const walk = (list: readonly GustoErrorItem[], prefix: string): void => {
    for (const item of list) {
      if (parts.length >= limit) return;
      const text = item.message ? `: ${item.message}` : '';
      parts.push(`${prefix}${item.category}/${item.error_key}${text}`);
      if (item.errors?.length) walk(item.errors, `${prefix}${item.error_key} > `);
    }
  };
  walk(items, '');
  return parts.join('; ');
}

export interface GustoApiErrorInit {
  status: number;
  endpoint: string;
  errors?: GustoErrorItem[];
  retryAfterMs?: number;
  /** Node/got error code when there was no response (ETIMEDOUT, ECONNRESET, ...). */
  code?: string;
  message?: string;
}

/** Gusto answered with a non-2xx status, or did not answer at all. */
export class GustoApiError extends Error {
  override readonly name = 'GustoApiError';
  readonly status: number;
  /** Method and path template, e.g. 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/submit'. */
  readonly endpoint: string;
  readonly errors: GustoErrorItem[];
  /** 5xx, 408, 429 and no-response failures; 409 is not, the caller refetches and retries. */
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly code?: string;

  constructor(init: GustoApiErrorInit) {
    const errors = init.errors ?? [];
    const what = init.status === 0 ? `no response (${init.code ?? 'network error'})` : `HTTP ${init.status}`;
    const detail = init.message ?? describeErrorItems(errors);
    super(redact(`${init.endpoint} failed: ${what}${detail ? ` — ${detail}` : ''}`));
    this.status = init.status;
    this.endpoint = init.endpoint;
    this.errors = redactValue(errors) as GustoErrorItem[];
    this.retryable = isRetryableStatus(init.status);
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.code !== undefined) this.code = init.code;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      endpoint: this.endpoint,
      errors: this.errors,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      code: this.code,
    };
  }
}

/** Gusto answered 2xx but the body did not match the schema the processes rely on. */
export class GustoResponseError extends Error {
  override readonly name = 'GustoResponseError';
  readonly endpoint: string;
  readonly status: number;
  /** Field path inside the response body, e.g. 'employee_compensations[3].version'. */
  readonly path: string;
  readonly issue: string;
  readonly retryable = false;

  constructor(init: { endpoint: string; status: number; path: string; issue: string }) {
    super(redact(`${init.endpoint}: response field ${init.path || '(body)'}: ${init.issue}`));
    this.endpoint = init.endpoint;
    this.status = init.status;
    this.path = init.path;
    this.issue = init.issue;
  }

  toJSON(): Record<string, unknown> {
    const { name, message, endpoint, status, path, issue, retryable } = this;
    return { name, message, endpoint, status, path, issue, retryable };
  }
}

export interface InputIssue {
  /** Field path in the caller's argument, e.g. 'employeeCompensations[0].fixed_compensations[1].amount'. */
  field: string;
  rule: string;
}

/** The caller's input broke a rule; nothing was sent to Gusto. */
export class GustoInputError extends Error {
  override readonly name = 'GustoInputError';
  readonly field: string;
  readonly rule: string;
  readonly issues: InputIssue[];
  readonly operation?: string;
  readonly retryable = false;

  constructor(issues: InputIssue[], operation?: string) {
    const first = issues[0] ?? { field: '(input)', rule: 'is invalid' };
    const list = issues.map((i) => `${i.field}: ${i.rule}`).join('; ');
    super(
      redact(
        `${operation ? `${operation}: ` : ''}invalid input — ${list || `${first.field}: ${first.rule}`}`,
      ),
    );
    this.field = first.field;
    this.rule = first.rule;
    this.issues = issues.length ? issues : [first];
    if (operation !== undefined) this.operation = operation;
  }

  static single(field: string, rule: string, operation?: string): GustoInputError {
    return new GustoInputError([{ field, rule }], operation);
  }

  toJSON(): Record<string, unknown> {
    const { name, message, field, rule, issues, operation, retryable } = this;
    return { name, message, field, rule, issues, operation, retryable };
  }
}

/**
 * A company's Gusto credentials need a person: Gusto refused the refresh token (`invalid_grant`:
 * rotated elsewhere, revoked, expired), an operator revoked them, or none were ever loaded. Retrying
 * cannot help, so this is never retryable; the message names the operator command that fixes it.
 */
export class GustoCredentialsError extends Error {
  override readonly name = 'GustoCredentialsError';
  readonly companyId: string;
  readonly state: 'needs_credentials' | 'revoked' | 'missing';
  readonly retryable = false;

  constructor(companyId: string, state: GustoCredentialsError['state'], why: string) {
    super(
      redact(
        `company ${companyId} needs Gusto credentials (${state}): ${why}; ` +
          `an operator loads new ones: \`payroll credentials load --company ${companyId} --refresh-token-file <file>\``,
      ),
    );
    this.companyId = companyId;
    this.state = state;
  }

  toJSON(): Record<string, unknown> {
    const { name, message, companyId, state, retryable } = this;
    return { name, message, companyId, state, retryable };
  }
}

export type GustoError = GustoApiError | GustoResponseError | GustoInputError | GustoCredentialsError;

// Name checks rather than instanceof: jest (and bundlers) can load two copies of a module.
export const isGustoApiError = (err: unknown): err is GustoApiError =>
  err instanceof Error && err.name === 'GustoApiError' && 'status' in err;
export const isGustoResponseError = (err: unknown): err is GustoResponseError =>
  err instanceof Error && err.name === 'GustoResponseError';
export const isGustoInputError = (err: unknown): err is GustoInputError =>
  err instanceof Error && err.name === 'GustoInputError';
export const isGustoCredentialsError = (err: unknown): err is GustoCredentialsError =>
  err instanceof Error && err.name === 'GustoCredentialsError' && 'companyId' in err;
