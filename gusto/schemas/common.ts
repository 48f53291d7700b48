/**
 * Building blocks shared by the request and response schemas.
 *
 * Requests are strict (we only send what we know is valid, and say which field broke which rule);
 * responses are lenient where Gusto is (extra fields pass through, unknown enum values survive)
 * and strict about the fields the processes read.
 */
import { z } from 'zod';
import { isCalendarDate } from '../../domain/dates.js';
import type { GustoErrorItem } from '../errors.js';

// ---------------------------------------------------------------------------------------------
// Open enums: Gusto adds enum values without a new API version; an unknown one must not fail a call.

/** A known string literal union that still admits any other string (kept raw). */
export type OpenEnum<T extends string> = T | (string & Record<never, never>);

export type OpenEnumSchema<T extends readonly string[]> = z.ZodType<OpenEnum<T[number]>, string> & {
  readonly known: T;
};

/** Accepts any string, types the known values (editor completion, exhaustive `switch` hints). */
export function openEnum<const T extends readonly string[]>(values: T): OpenEnumSchema<T> {
  return Object.assign(z.string(), { known: values }) as unknown as OpenEnumSchema<T>;
}

// ---------------------------------------------------------------------------------------------
// Input rules (requests). Messages are the "rule" half of GustoInputError's "field: rule".

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Gusto ids are UUIDs; a malformed one is a bug in the caller, not something to send. */
export const uuidInput = z.string({ error: 'must be a UUID string' }).regex(UUID_PATTERN, 'must be a UUID');

export const dateInput = z
  .string({ error: 'must be a date string YYYY-MM-DD' })
  .refine(isCalendarDate, 'must be a calendar date in the form YYYY-MM-DD');

/** Why a decimal string breaks the wire rules, or undefined when it is fine. */
export function decimalRule(value: string, places: number, example: string): string | undefined {
  if (value.startsWith('-')) return 'must not be negative';
  const m = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!m) return `must be a decimal string like "${example}"`;
  if ((m[2]?.length ?? 0) > places) return `must have at most ${places} decimal places`;
  return undefined;
}

function decimalInput(places: number, example: string) {
  return z.string({ error: `must be a decimal string like "${example}"` }).superRefine((value, ctx) => {
    const rule = decimalRule(value, places, example);
    if (rule) ctx.addIssue({ code: 'custom', message: rule });
  });
}

/** Non-negative amount to the cent, as Gusto wants it on the wire ("1234.50"). */
export const moneyInput = decimalInput(2, '1234.50');
/** Non-negative hours to the thousandth ("37.500"). */
export const hoursInput = decimalInput(3, '40.000');

// ---------------------------------------------------------------------------------------------
// Response building blocks.

const WIRE_DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * A decimal as Gusto sends it. The spec types a few amounts as JSON numbers (employee gross/net
 * pay, deductions); they are normalised to the same decimal-string form so callers convert with
 * gusto/money.ts in one way. JSON numbers of money are exact enough to print back (shortest
 * round-trip form), which is all this does.
 */
export const wireDecimal = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === 'number' ? String(v) : v))
  .refine((v) => WIRE_DECIMAL.test(v), 'must be a decimal number');

/** Calendar date in a response; checked because the processes set timers from these. */
export const wireDate = z.string().regex(DATE_PATTERN, 'must be a date YYYY-MM-DD');

// The recursive error item: annotated explicitly because zod cannot infer recursive types.
export const gustoErrorItemSchema: z.ZodType<GustoErrorItem> = z.lazy(() =>
  z
    .looseObject({
      error_key: z.string().optional(),
      category: z.string().optional(),
      message: z.string().optional(),
      metadata: z.record(z.string(), z.unknown()).optional().nullable(),
      errors: z.array(gustoErrorItemSchema).optional().nullable(),
    })
    // Gusto omits error_key/category on a few legacy responses; keep the item, name it generically.
    .transform((item) => {
      const out: GustoErrorItem = {
        error_key: item.error_key ?? 'unknown',
        category: item.category ?? 'unknown',
      };
      if (item.message !== undefined) out.message = item.message;
      if (item.metadata) out.metadata = item.metadata;
      if (item.errors?.length) out.errors = item.errors;
      return out;
    }),
);

/** `{ errors: [...] }`: 404, 409, 422 and (in the sandbox) every other error status. */
export const gustoErrorBodySchema = z.looseObject({ errors: z.array(gustoErrorItemSchema) });

/** Pagination options accepted by Gusto's list endpoints (max page size 100). */
export const pageInput = z.object({
  page: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
  per: z
    .number()
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .optional(),
});

/** The head every Gusto receipt (payroll or contractor payment) opens with, after its own id. */
export const receiptHeader = z.looseObject({
  company_uuid: z.string().nullish(),
  name_of_sender: z.string().nullish(),
  name_of_recipient: z.string().nullish(),
  debit_date: z.string().nullish(),
});
