/**
 * Request validation at the sandbox's edge: zod for bodies, small parsers for query strings, and
 * Gusto-style pagination. Failures become 422s whose error_key is the field path and whose message
 * names the rule, before any state is touched.
 */
import { z } from 'zod';
import { toCents, toThousandths, type Cents, type Thousandths } from '../gusto/money.js';
import { isCalendarDate } from '../domain/dates.js';
import { invalidAttribute, unprocessable, type ErrorItem } from './errors.js';

/** The value at `path` inside `body` (undefined when any step is missing). */
function at(body: unknown, path: PropertyKey[]): unknown {
  let node = body;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const input = body ?? {};
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors: ErrorItem[] = result.error.issues.map((issue) => {
    const key = issue.path.map(String).join('.');
    const missing = issue.path.length > 0 && at(input, issue.path) === undefined;
    return {
      error_key: key || 'base',
      category: missing ? 'missing_parameter' : 'invalid_attribute_value',
      message: key ? `${key}: ${issue.message}` : issue.message,
    };
  });
  throw unprocessable(errors);
}

// Field schemas shared by bodies. Gusto accepts amounts as strings and, in some endpoints, numbers.

export const isoDate = z.string().refine(isCalendarDate, 'must be a date in YYYY-MM-DD format');

const decimalText = (places: number) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => (typeof v === 'number' ? String(v) : v.trim()))
    .refine((v) => new RegExp(`^\\d+(\\.\\d{1,${places}})?$`).test(v), {
      message: `must be a non-negative decimal with at most ${places} decimal places`,
    });

/** Money: "1234.5" or 1234.5 → cents. */
export const money = decimalText(2).transform((v): Cents => toCents(v));
/** Hours: "37.5" or 37.5 → thousandths. */
export const hours = decimalText(3).transform((v): Thousandths => toThousandths(v));

// Query strings

/** Comma-separated and/or repeated values: `?include=a,b` and `?include=a&include=b`. */
export function listParam(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function enumListParam<T extends string>(
  query: URLSearchParams,
  name: string,
  allowed: readonly T[],
): T[] {
  const values = listParam(query, name);
  const bad = values.filter((v) => !(allowed as readonly string[]).includes(v));
  if (bad.length) {
    throw invalidAttribute(name, `${name} must be one of ${allowed.join(', ')}; got ${bad.join(', ')}`);
  }
  return values as T[];
}

export function boolParam(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalidAttribute(name, `${name} must be true or false`);
}

export function dateParam(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  if (!isCalendarDate(value)) throw invalidAttribute(name, `${name} must be a date in YYYY-MM-DD format`);
  return value;
}

export function intParam(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalidAttribute(name, `${name} must be an integer between ${min} and ${max}`);
  }
  return n;
}

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

/**
 * Gusto's page/per pagination with its X-Page, X-Per-Page, X-Total-Count and X-Total-Pages headers.
 * `forced` endpoints paginate even without parameters (default 25 per page); the others return
 * everything unless page or per is given.
 */
export function paginate<T>(
  items: T[],
  query: URLSearchParams,
  opts: { forced: boolean; maxPer?: number },
): Page<T> {
  const maxPer = opts.maxPer ?? 100;
  const page = intParam(query, 'page', 1, 1_000_000);
  const perAsked = intParam(query, 'per', 1, 1_000_000);
  if (!opts.forced && page === undefined && perAsked === undefined) return { items, headers: {} };
  const per = Math.min(perAsked ?? 25, maxPer);
  const current = page ?? 1;
  const totalPages = Math.max(1, Math.ceil(items.length / per));
  return {
    items: items.slice((current - 1) * per, current * per),
    headers: {
      'X-Page': String(current),
      'X-Per-Page': String(per),
      'X-Total-Count': String(items.length),
      'X-Total-Pages': String(totalPages),
    },
  };
}
