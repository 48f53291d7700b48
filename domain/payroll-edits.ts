/**
 * Compensation edits: merging and checking them against what Gusto says the payroll holds. Pure, so the
 * run's `edit` validator and the payroll finder check edits the same way before anything reaches Gusto.
 */
import type { EmployeeEdit } from './payroll-run.js';

/** Which compensations each employee on the payroll has, by name, as prepare reported them. */
export interface CompensationCatalog {
  employees: Record<string, { hourly: string[]; fixed: string[] }>;
  /**
   * The company's fixed compensation names any employee may be given ("Bonus", "Commission"...).
   * Prepare reports them; a plain read does not, and then fixed names are left for prepare to check.
   */
  fixedTypes?: string[];
}

export interface EditIssue {
  field: string;
  rule: string;
}

const HOURS = /^\d+(\.\d{1,3})?$/;
const MONEY = /^\d+(\.\d{1,2})?$/;
const PAYMENT_METHODS = ['Direct Deposit', 'Check'];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first broken rule in `edits`, or undefined. The catalog check is skipped when none is known yet. */
export function checkEdits(
  edits: unknown,
  catalog?: CompensationCatalog,
  field = 'edits',
): EditIssue | undefined {
  if (!Array.isArray(edits)) return { field, rule: 'must be a list of employee edits' };
  const seen = new Set<string>();
  for (const [i, edit] of edits.entries()) {
    const issue = checkEdit(edit, `${field}[${i}]`, catalog);
    if (issue) return issue;
    const id = (edit as EmployeeEdit).employeeId;
    if (seen.has(id))
      return { field: `${field}[${i}].employeeId`, rule: 'appears twice: one entry per employee' };
    seen.add(id);
  }
  return undefined;
}

function checkEdit(edit: unknown, at: string, catalog?: CompensationCatalog): EditIssue | undefined {
  if (!isRecord(edit)) return { field: at, rule: 'must be an object' };
  const { employeeId, hours, fixed, excluded, paymentMethod } = edit;
  if (typeof employeeId !== 'string' || employeeId === '') {
    return { field: `${at}.employeeId`, rule: 'is required' };
  }
  const known = catalog?.employees[employeeId];
  if (catalog && !known)
    return { field: `${at}.employeeId`, rule: `employee ${employeeId} is not on this payroll` };
  if (excluded !== undefined && typeof excluded !== 'boolean')
    return { field: `${at}.excluded`, rule: 'must be a boolean' };
  if (paymentMethod !== undefined && !PAYMENT_METHODS.includes(paymentMethod as string)) {
    return { field: `${at}.paymentMethod`, rule: `must be one of ${PAYMENT_METHODS.join(', ')}` };
  }
  const hourlyNames = known?.hourly;
  const fixedNames = known && catalog?.fixedTypes ? [...known.fixed, ...catalog.fixedTypes] : undefined;
  return (
    checkAmounts(
      hours,
      `${at}.hours`,
      HOURS,
      'a non-negative number of hours with at most 3 decimals',
      hourlyNames,
    ) ??
    checkAmounts(fixed, `${at}.fixed`, MONEY, 'a non-negative amount with at most 2 decimals', fixedNames)
  );
}

function checkAmounts(
  values: unknown,
  at: string,
  pattern: RegExp,
  what: string,
  names: string[] | undefined,
): EditIssue | undefined {
  if (values === undefined) return undefined;
  if (!isRecord(values)) return { field: at, rule: 'must map compensation names to decimal strings' };
  for (const [name, value] of Object.entries(values)) {
    const field = `${at}["${name}"]`;
    if (typeof value !== 'string' || !pattern.test(value)) {
      const negative =
        typeof value === 'string' ? value.trim().startsWith('-') : typeof value === 'number' && value < 0;
      return { field, rule: negative ? `must not be negative (${what})` : `must be ${what}, as a string` };
    }
    if (names && !names.includes(name)) {
      return { field, rule: `unknown compensation name "${name}"; known: ${names.join(', ') || '(none)'}` };
    }
  }
  return undefined;
}

/** Later edits win per employee and per compensation name; untouched names keep earlier values. */
export function mergeEdits(
  current: readonly EmployeeEdit[],
  incoming: readonly EmployeeEdit[],
): EmployeeEdit[] {
  const byEmployee = new Map(current.map((e) => [e.employeeId, e]));
  for (const edit of incoming) {
    const before = byEmployee.get(edit.employeeId);
    byEmployee.set(edit.employeeId, {
      ...before,
      ...edit,
      hours: merged(before?.hours, edit.hours),
      fixed: merged(before?.fixed, edit.fixed),
    });
  }
  return [...byEmployee.values()].map(dropEmpty);
}

const merged = (a?: Record<string, string>, b?: Record<string, string>) =>
  a || b ? { ...a, ...b } : undefined;

function dropEmpty(edit: EmployeeEdit): EmployeeEdit {
  const out: EmployeeEdit = { employeeId: edit.employeeId };
  if (edit.hours) out.hours = edit.hours;
  if (edit.fixed) out.fixed = edit.fixed;
  if (edit.excluded !== undefined) out.excluded = edit.excluded;
  if (edit.paymentMethod !== undefined) out.paymentMethod = edit.paymentMethod;
  return out;
}
