/**
 * Contractor payment activities: every Gusto call the single-payment and payment-group processes make.
 * They return narrow views (ids, methods, statuses, canonical amounts), never names or bank data,
 * except the receipts the processes exist to deliver.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { GustoClient } from '../gusto/client.js';
import { isGustoApiError, type InputIssue } from '../gusto/errors.js';
import type { ContractorPaymentGroup } from '../gusto/schemas/contractor-payment-groups.js';
import { flattenContractorPayments, type ContractorPayment } from '../gusto/schemas/contractor-payments.js';
import type { Contractor } from '../gusto/schemas/contractors.js';
import { addDays, calendarDate } from '../domain/dates.js';
import type {
  GroupView,
  PaymentLine,
  PaymentReceipt,
  PaymentTotals,
  PaymentView,
} from '../domain/contractor-payment.js';
import {
  groupTotals,
  groupView,
  lineTotals,
  paymentView,
  sameHours,
  sameMoney,
  wireLine,
} from './contractor-payment-amounts.js';
import {
  contractorIssues,
  dateIssues,
  groupShapeIssues,
  invalid,
  lineShapeIssues,
  throwIfAny,
  type TodayRange,
} from './contractor-payment-rules.js';
import { callGusto, toActivityFailure } from './failures.js';
import type { ActivityDeps } from './index.js';
import { pollWithBackoff } from './polling.js';

export interface PaymentRequest {
  companyId: string;
  date: string;
  line: PaymentLine;
  /** The workflow's "now" (ISO): date rules follow the run's clock, not the worker's. */
  asOf: string;
}

export interface GroupRequest {
  companyId: string;
  checkDate: string;
  lines: PaymentLine[];
  asOf: string;
}

export interface PaymentRef {
  companyId: string;
  paymentId: string;
}

export interface GroupRef {
  companyId: string;
  groupId: string;
}

export interface CreatedPayment {
  payment: PaymentView;
  /** True when an earlier attempt had made the payment and this one adopted it. */
  adopted: boolean;
  /** Adoption candidates seen; more than one means identical payments raced (see the adopt rule). */
  candidates?: number;
}

export interface CreatedGroup {
  group: GroupView;
  adopted: boolean;
}

/** `gone`: deleted at Gusto (cancelled outside the run). */
export interface PaymentFunding {
  state: 'funded' | 'pending' | 'gone';
  payment?: PaymentView;
}

export interface GroupFunding {
  state: 'funded' | 'pending' | 'gone';
  group?: GroupView;
}

/** Where the US calendar day starts last and first (Gusto serves US companies). */
const WESTMOST_US_ZONE = 'Pacific/Honolulu';
const EASTMOST_US_ZONE = 'America/New_York';

export function createContractorPaymentActivities({ gusto, shutdown }: ActivityDeps) {
  const contractorOf = (companyId: string, contractorId: string, field: string) =>
    readContractor(gusto, companyId, contractorId, field);

  return {
    /**
     * Checks one payment against the rules and the contractor, before anything is created, and
     * computes its totals (the single-payment preview has none). Fails as `InvalidInput` naming
     * the field and the rule.
     */
    async checkContractorPayment(req: PaymentRequest): Promise<{ totals: PaymentTotals }> {
      throwIfAny(lineShapeIssues(req.line, ''));
      const contractor = await contractorOf(req.companyId, req.line.contractorId, 'contractorId');
      const today = await companyToday(gusto, req.companyId, new Date(req.asOf));
      throwIfAny([
        ...contractorIssues(req.line, contractor, req.date, ''),
        ...dateIssues(req.line.paymentMethod, req.date, today, 'date'),
      ]);
      return { totals: lineTotals(req.line, contractor) };
    },

    /** Gusto's expected debit date for this payment (for Check and Historical: the check date). */
    async previewContractorPayment(req: PaymentRequest): Promise<{ debitDate: string }> {
      const body = {
        contractor_payments: [{ ...wireLine(req.line), date: req.date, hourly_rate: req.line.hourlyRate }],
      };
      const preview = await callGusto(() =>
        gusto.contractorPayments.preview(req.companyId, body, nowOf(req)),
      );
      return { debitDate: preview.expected_debit_date };
    },

    /** Ids of payments already at Gusto identical to this one: the baseline adoption must ignore. */
    async listMatchingContractorPayments(req: Omit<PaymentRequest, 'asOf'>): Promise<string[]> {
      return (await matchingPayments(gusto, req)).map((p) => p.uuid);
    },

    /**
     * Creates the payment, exactly once. The POST has no idempotency key, so a retry (attempt > 1,
     * or a new activity the workflow runs after a failed one: `mayHaveSent`) first lists the
     * contractor's payments on the date and adopts an identical one (same method and amounts) that
     * an earlier attempt made, instead of paying again.
     *
     * Adopt rule: only payments that did not exist before the first attempt count as ours. The
     * workflow lists identical payments just before creating (`existingPaymentIds`), so a legitimate
     * earlier payment with the same amounts (another business key) is never mistaken for ours and
     * never stops this one from being made. Two identical payments made concurrently by two runs
     * cannot be told apart at Gusto (no key, no memo): if one run's answer is lost while the other's
     * payment appears in that window, the retry adopts a new identical payment rather than risk a
     * second one. The failure mode is one payment too few, never one too many; the candidate count
     * goes into the run's notes so a person can check.
     */
    async createContractorPayment(
      req: PaymentRequest & { existingPaymentIds: string[]; mayHaveSent?: boolean },
    ): Promise<CreatedPayment> {
      // `mayHaveSent`: the workflow retries after an earlier activity failed, which may have paid.
      if (req.mayHaveSent || Context.current().info.attempt > 1) {
        const baseline = new Set(req.existingPaymentIds);
        const made = (await matchingPayments(gusto, req)).filter((p) => !baseline.has(p.uuid));
        if (made[0]) return { payment: paymentView(made[0]), adopted: true, candidates: made.length };
      }
      const body = { ...wireLine(req.line), date: req.date };
      const created = await callGusto(() => gusto.contractorPayments.create(req.companyId, body, nowOf(req)));
      return { payment: paymentView(created), adopted: false };
    },

    /** The payment as Gusto shows it now; null once it was deleted (cancelled). */
    async getContractorPayment(ref: PaymentRef): Promise<PaymentView | null> {
      const payment = await orNullIfGone(() => gusto.contractorPayments.get(ref.companyId, ref.paymentId));
      return payment && paymentView(payment);
    },

    /** One read: has the money moved? */
    async checkContractorPaymentFunding(ref: PaymentRef): Promise<PaymentFunding> {
      return paymentFunding(gusto, ref);
    },

    /** Polls (heartbeating, backing off to 30 s) until the payment is funded or gone. */
    async awaitContractorPaymentFunding(ref: PaymentRef): Promise<PaymentFunding> {
      return pollWithBackoff(
        async () => {
          const funding = await paymentFunding(gusto, ref);
          return funding.state === 'pending' ? undefined : funding;
        },
        { stopOn: shutdown },
      );
    },

    /** Cancels (deletes) the payment. Already gone counts as done: a retried DELETE lands here. */
    async cancelContractorPayment(ref: PaymentRef): Promise<void> {
      await orNullIfGone(() => gusto.contractorPayments.cancel(ref.companyId, ref.paymentId));
    },

    /** Exists only for funded Direct Deposit payments. */
    async getContractorPaymentReceipt(ref: PaymentRef): Promise<PaymentReceipt> {
      return callGusto(() =>
        gusto.contractorPayments.receipt(ref.companyId, ref.paymentId),
      ) as Promise<PaymentReceipt>;
    },

    // ---- groups -------------------------------------------------------------------------------

    /** Checks every line of a group before anything is created; all problems in one failure. */
    async checkContractorPaymentGroup(req: GroupRequest): Promise<void> {
      throwIfAny(groupShapeIssues(req.lines));
      const today = await companyToday(gusto, req.companyId, new Date(req.asOf));
      const issues: InputIssue[] = [];
      const contractors = new Map<string, Contractor>();
      for (const [i, line] of req.lines.entries()) {
        const at = `payments[${i}].`;
        const contractor =
          contractors.get(line.contractorId) ??
          (await contractorOf(req.companyId, line.contractorId, `${at}contractorId`));
        contractors.set(line.contractorId, contractor);
        issues.push(...contractorIssues(line, contractor, req.checkDate, at));
        issues.push(...dateIssues(line.paymentMethod, req.checkDate, today, 'checkDate'));
      }
      throwIfAny(issues);
    },

    /** Gusto's preview of the group: debit date and totals, nothing created. */
    async previewContractorPaymentGroup(
      req: GroupRequest,
    ): Promise<{ debitDate?: string; totals: PaymentTotals }> {
      const body = { check_date: req.checkDate, contractor_payments: req.lines.map(wireLine) };
      const preview = await callGusto(() =>
        gusto.contractorPaymentGroups.preview(req.companyId, body, nowOf(req)),
      );
      return { debitDate: preview.debit_date ?? undefined, totals: groupTotals(preview) };
    },

    /**
     * Creates the group with a creation_token derived from the workflow id, so Gusto itself refuses
     * a second group: a 422 (or a retry) finds the group the token already made and adopts it.
     */
    async createContractorPaymentGroup(req: GroupRequest): Promise<CreatedGroup> {
      const token = creationTokenFor(workflowIdOfThisActivity());
      if (Context.current().info.attempt > 1) {
        const existing = await groupByToken(gusto, req.companyId, req.checkDate, token);
        if (existing) return { group: groupView(existing), adopted: true };
      }
      const body = {
        check_date: req.checkDate,
        creation_token: token,
        contractor_payments: req.lines.map(wireLine),
      };
      try {
        const created = await callGusto(
          () => gusto.contractorPaymentGroups.create(req.companyId, body, nowOf(req)),
          {
            rethrow: (err) => isGustoApiError(err) && err.status === 422,
          },
        );
        return { group: groupView(created), adopted: false };
      } catch (err) {
        const existing = await groupByToken(gusto, req.companyId, req.checkDate, token);
        if (existing) return { group: groupView(existing), adopted: true };
        throw toActivityFailure(err);
      }
    },

    async checkContractorPaymentGroupFunding(ref: GroupRef): Promise<GroupFunding> {
      return groupFunding(gusto, ref);
    },

    async awaitContractorPaymentGroupFunding(ref: GroupRef): Promise<GroupFunding> {
      return pollWithBackoff(
        async () => {
          const funding = await groupFunding(gusto, ref);
          return funding.state === 'pending' ? undefined : funding;
        },
        { stopOn: shutdown },
      );
    },

    /** Cancels (deletes) the group and all its payments; already gone counts as done. */
    async cancelContractorPaymentGroup(ref: GroupRef): Promise<void> {
      await orNullIfGone(() => gusto.contractorPaymentGroups.cancel(ref.companyId, ref.groupId));
    },
  };
}

export type ContractorPaymentActivities = ReturnType<typeof createContractorPaymentActivities>;

/**
 * The group's creation_token: a UUID-shaped SHA-256 digest of the workflow id. Stable across
 * retries, worker restarts and re-runs of the same business key; unique per key.
 */
export function creationTokenFor(workflowId: string): string {
  const h = createHash('sha256').update(workflowId).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function workflowIdOfThisActivity(): string {
  const id = Context.current().info.workflowExecution?.workflowId;
  if (!id)
    throw ApplicationFailure.nonRetryable(
      'createContractorPaymentGroup runs only inside a workflow',
      'InvalidInput',
    );
  return id;
}

const nowOf = (req: { asOf: string }) => ({ now: new Date(req.asOf) });

// ---- Gusto reads ------------------------------------------------------------------------------

async function orNullIfGone<T>(fn: () => Promise<T>): Promise<T | null> {
  return callGusto(fn, { rethrow: (err) => isGustoApiError(err) && err.status === 404 }).catch(
    (err: unknown) => {
      if (isGustoApiError(err) && err.status === 404) return null;
      throw err;
    },
  );
}

async function readContractor(
  gusto: GustoClient,
  companyId: string,
  contractorId: string,
  field: string,
): Promise<Contractor> {
  const contractor = await orNullIfGone(() => gusto.contractors.get(companyId, contractorId));
  if (!contractor || (contractor.company_uuid && contractor.company_uuid !== companyId)) {
    throw invalid([{ field, rule: `no contractor ${contractorId} in company ${companyId}` }]);
  }
  return contractor;
}

/**
 * Today's date where the company is. Gusto's company record has no time zone; when the record (or
 * the sandbox) carries one it is used, otherwise the range of US dates right now: the rules then
 * refuse only what is wrong in every US zone, and Gusto's own check has the last word.
 */
async function companyToday(gusto: GustoClient, companyId: string, now: Date): Promise<TodayRange> {
  const company = await callGusto(() => gusto.companies.get(companyId));
  const zone = company.time_zone ?? company.locations?.find((l) => l.time_zone)?.time_zone;
  if (zone) return { earliest: calendarDate(now, zone), latest: calendarDate(now, zone) };
  return { earliest: calendarDate(now, WESTMOST_US_ZONE), latest: calendarDate(now, EASTMOST_US_ZONE) };
}

/** Payments at Gusto identical to this one: same contractor, date, method and amounts. */
async function matchingPayments(
  gusto: GustoClient,
  req: Omit<PaymentRequest, 'asOf'>,
): Promise<ContractorPayment[]> {
  const { line } = req;
  const query = { startDate: req.date, endDate: req.date, contractorUuid: line.contractorId };
  const summary = await callGusto(() => gusto.contractorPayments.list(req.companyId, query));
  return flattenContractorPayments(summary).filter(
    (p) =>
      p.contractor_uuid === line.contractorId &&
      p.date === req.date &&
      p.payment_method === line.paymentMethod &&
      sameHours(p.hours, line.hours) &&
      sameMoney(p.wage, line.wage) &&
      sameMoney(p.bonus, line.bonus) &&
      sameMoney(p.reimbursement, line.reimbursement),
  );
}

async function paymentFunding(gusto: GustoClient, ref: PaymentRef): Promise<PaymentFunding> {
  const payment = await orNullIfGone(() => gusto.contractorPayments.get(ref.companyId, ref.paymentId));
  if (!payment) return { state: 'gone' };
  return { state: payment.status === 'Funded' ? 'funded' : 'pending', payment: paymentView(payment) };
}

async function groupFunding(gusto: GustoClient, ref: GroupRef): Promise<GroupFunding> {
  const group = await orNullIfGone(() => gusto.contractorPaymentGroups.get(ref.companyId, ref.groupId));
  if (!group) return { state: 'gone' };
  return { state: group.status === 'Funded' ? 'funded' : 'pending', group: groupView(group) };
}

/**
 * The group a creation_token made. Groups are listed by check date, so the window around the check
 * date is enough; the minimal list entry is then read in full.
 */
async function groupByToken(
  gusto: GustoClient,
  companyId: string,
  checkDate: string,
  token: string,
): Promise<ContractorPaymentGroup | undefined> {
  const query = { startDate: addDays(checkDate, -1), endDate: addDays(checkDate, 1) };
  const groups = await callGusto(() => gusto.contractorPaymentGroups.list(companyId, query));
  const match = groups.find((g) => g.creation_token === token);
  return match && callGusto(() => gusto.contractorPaymentGroups.get(companyId, match.uuid));
}
