/** The totals a reviewer approves: integer cents inside the workflow, decimal strings outside. */
import { invalidInput } from './review.js';
import type { SeenTotals } from '../domain/payroll-run.js';

const TOTAL_KEYS = ['company_debit', 'net_pay', 'gross_pay'] as const;

/** Approvals arrive in integer cents (client/payroll.ts converts decimal strings). */
export function seenTotals(totals: unknown): SeenTotals {
  const t = (totals ?? {}) as Record<string, unknown>;
  for (const key of TOTAL_KEYS) {
    if (!Number.isSafeInteger(t[key])) throw invalidInput(`totals.${key}: required, integer cents`);
  }
  return {
    company_debit: t.company_debit as number,
    net_pay: t.net_pay as number,
    gross_pay: t.gross_pay as number,
  };
}

export function sameTotals(seen: SeenTotals, current: SeenTotals): boolean {
  return TOTAL_KEYS.every((key) => seen[key] === current[key]);
}

/** The totals as decimal strings ("1234.50"), as the state shows them and an approval echoes them. */
export function totalsText(t: SeenTotals): Record<(typeof TOTAL_KEYS)[number], string> {
  return {
    company_debit: centsText(t.company_debit),
    net_pay: centsText(t.net_pay),
    gross_pay: centsText(t.gross_pay),
  };
}

export function describeTotals(t: SeenTotals): string {
  return TOTAL_KEYS.map((key) => `${key} ${centsText(t[key])}`).join(', ');
}

const centsText = (cents: number) =>
  `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
