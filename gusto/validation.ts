/**
 * Input checks that run before any request. A bad id, a third decimal on an amount or an unknown
 * compensation name is a caller bug: failing here names the field and the rule, costs no rate-limit
 * slot, and cannot half-apply a change at Gusto.
 */
import type { z } from 'zod';
import { GustoInputError, type InputIssue } from './errors.js';
import { UUID_PATTERN } from './schemas/common.js';
import type { EmployeeCompensationEdit, Payroll } from './schemas/payrolls.js';

/** zod path → "employeeCompensations[3].fixed_compensations[0].amount". */
export function formatPath(path: readonly PropertyKey[], prefix = '', root = '(input)'): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || root;
}

/** zod's generic wording, reworded where a plain rule reads better. */
function ruleOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return 'is required';
  if (issue.code === 'unrecognized_keys') {
    return `is not a known field (${issue.keys.map((k) => `"${k}"`).join(', ')})`;
  }
  return issue.message;
}

export function issuesFromZod(error: z.ZodError, prefix = ''): InputIssue[] {
  return error.issues.map((issue) => ({ field: formatPath(issue.path, prefix), rule: ruleOf(issue) }));
}

/** Parse a caller's argument or throw GustoInputError naming each offending field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  operation: string,
  prefix = '',
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new GustoInputError(issuesFromZod(result.error, prefix), operation);
  return result.data;
}

/** Path ids are checked before they are spliced into a URL. */
export function assertIds(operation: string, ids: Record<string, unknown>): void {
  const issues: InputIssue[] = [];
  for (const [field, value] of Object.entries(ids)) {
    if (typeof value !== 'string' || !UUID_PATTERN.test(value))
      issues.push({ field, rule: 'must be a UUID' });
  }
  if (issues.length) throw new GustoInputError(issues, operation);
}

/** Calendar date of an instant in UTC. */
export function utcDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * A Historical Payment records money already paid, so its date cannot be after today. "Today" is
 * the UTC date: for US companies that is never earlier than their local date, so the check can only
 * err on the side of letting Gusto decide, never of refusing a valid payment.
 */
export function historicalDateIssue(
  paymentMethod: string | undefined,
  date: string | undefined,
  now: Date,
  field: string,
): InputIssue | undefined {
  if (paymentMethod !== 'Historical Payment' || date === undefined) return undefined;
  const today = utcDate(now);
  return date > today
    ? { field, rule: `must not be in the future for a Historical Payment (today is ${today})` }
    : undefined;
}

/** Split into consecutive chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type PreparedForEdits = Pick<Payroll, 'employee_compensations' | 'fixed_compensation_types'>;

function namesOf(list: readonly { name?: string | null }[] | null | undefined): Set<string> {
  return new Set((list ?? []).flatMap((x) => (x.name ? [x.name] : [])));
}

/**
 * Issues for names in `edited` that `known` lacks. A list the prepared payroll did not include at
 * all (`listed` false) cannot vouch for or against a name, so it is skipped.
 */
function unknownNames(
  kind: string,
  field: string,
  edited: readonly { name?: string | undefined }[] | undefined,
  known: Set<string>,
  listed: boolean,
): InputIssue[] {
  if (!listed || !edited) return [];
  const list = [...known].sort().join(', ') || 'none';
  return edited.flatMap((item, j) =>
    item.name === undefined || known.has(item.name)
      ? []
      : [
          {
            field: `${field}[${j}].name`,
            rule: `unknown ${kind} "${item.name}" (this payroll has: ${list})`,
          },
        ],
  );
}

/**
 * Problems with edits against the prepared payroll they apply to: employees not on the payroll and
 * compensation names the payroll does not have (Gusto treats a name as the compensation's identity,
 * so a typo would otherwise be rejected only after earlier chunks were applied).
 * `prepared` must hold every employee compensation the edits touch (all pages).
 */
export function compensationEditIssues(
  prepared: PreparedForEdits,
  edits: readonly EmployeeCompensationEdit[],
  prefix = 'employeeCompensations',
): InputIssue[] {
  const byEmployee = new Map((prepared.employee_compensations ?? []).map((c) => [c.employee_uuid, c]));
  const companyFixed = namesOf(prepared.fixed_compensation_types);
  return edits.flatMap((edit, i): InputIssue[] => {
    const at = `${prefix}[${i}]`;
    const current = byEmployee.get(edit.employee_uuid);
    if (!current)
      return [{ field: `${at}.employee_uuid`, rule: 'is not an employee on this prepared payroll' }];
    const fixed = new Set([...companyFixed, ...namesOf(current.fixed_compensations)]);
    const fixedListed = prepared.fixed_compensation_types != null || current.fixed_compensations != null;
    return [
      ...unknownNames(
        'fixed compensation',
        `${at}.fixed_compensations`,
        edit.fixed_compensations,
        fixed,
        fixedListed,
      ),
      ...unknownNames(
        'hourly compensation',
        `${at}.hourly_compensations`,
        edit.hourly_compensations,
        namesOf(current.hourly_compensations),
        current.hourly_compensations != null,
      ),
      ...unknownNames(
        'paid time off',
        `${at}.paid_time_off`,
        edit.paid_time_off,
        namesOf(current.paid_time_off),
        current.paid_time_off != null,
      ),
    ];
  });
}

/** Throwing form of `compensationEditIssues`, for activities that validate before updating. */
export function validateCompensationEdits(
  prepared: PreparedForEdits,
  edits: readonly EmployeeCompensationEdit[],
  operation = 'payrolls.update',
): void {
  const issues = compensationEditIssues(prepared, edits);
  if (issues.length) throw new GustoInputError(issues, operation);
}
