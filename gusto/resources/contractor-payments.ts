/** client.contractorPayments and client.contractorPaymentGroups. */
import { GustoInputError, type InputIssue } from '../errors.js';
import {
  contractorPaymentGroupCreateBodySchema,
  contractorPaymentGroupListQuerySchema,
  contractorPaymentGroupListSchema,
  contractorPaymentGroupPreviewBodySchema,
  contractorPaymentGroupPreviewSchema,
  contractorPaymentGroupSchema,
  type ContractorPaymentGroup,
  type ContractorPaymentGroupCreateBody,
  type ContractorPaymentGroupListQuery,
  type ContractorPaymentGroupPreview,
  type ContractorPaymentGroupPreviewBody,
} from '../schemas/contractor-payment-groups.js';
import {
  contractorPaymentCreateSchema,
  contractorPaymentListQuerySchema,
  contractorPaymentPreviewBodySchema,
  contractorPaymentPreviewSchema,
  contractorPaymentReceiptSchema,
  contractorPaymentSchema,
  contractorPaymentSummarySchema,
  type ContractorPayment,
  type ContractorPaymentCreate,
  type ContractorPaymentListQuery,
  type ContractorPaymentPreview,
  type ContractorPaymentPreviewBody,
  type ContractorPaymentReceipt,
  type ContractorPaymentSummary,
} from '../schemas/contractor-payments.js';
import { assertIds, historicalDateIssue, parseInput } from '../validation.js';
import { companyAuth, type ClientContext, type NowOption } from './context.js';

const PAYMENT_PATHS = {
  preview: '/v1/companies/{company_uuid}/contractor_payments/preview',
  collection: '/v1/companies/{company_id}/contractor_payments',
  one: '/v1/companies/{company_id}/contractor_payments/{contractor_payment_id}',
  receipt: '/v1/contractor_payments/{contractor_payment_uuid}/receipt',
  fund: '/v1/contractor_payments/{contractor_payment_uuid}/fund',
} as const;

const GROUP_PATHS = {
  collection: '/v1/companies/{company_id}/contractor_payment_groups',
  preview: '/v1/companies/{company_id}/contractor_payment_groups/preview',
  one: '/v1/contractor_payment_groups/{contractor_payment_group_uuid}',
  fund: '/v1/contractor_payment_groups/{contractor_payment_group_uuid}/fund',
} as const;

function throwIfAny(issues: (InputIssue | undefined)[], operation: string): void {
  const found = issues.filter((i): i is InputIssue => i !== undefined);
  if (found.length) throw new GustoInputError(found, operation);
}

export function contractorPaymentsApi({ transport, now }: ClientContext) {
  const one = (companyId: string, paymentId: string) => ({
    params: { company_id: companyId, contractor_payment_id: paymentId },
    auth: companyAuth(companyId),
  });
  const byUuid = (companyId: string, paymentId: string) => ({
    params: { contractor_payment_uuid: paymentId },
    auth: companyAuth(companyId),
  });

  return {
    /** Expected debit date for payments like these (a GET with a JSON body, as Gusto defines it). */
    async preview(
      companyId: string,
      body: ContractorPaymentPreviewBody,
      options: NowOption = {},
    ): Promise<ContractorPaymentPreview> {
      const op = 'contractorPayments.preview';
      assertIds(op, { companyId });
      const b = parseInput(contractorPaymentPreviewBodySchema, body, op);
      const at = options.now ?? now();
      throwIfAny(
        b.contractor_payments.map((p, i) =>
          historicalDateIssue(p.payment_method, p.date, at, `contractor_payments[${i}].date`),
        ),
        op,
      );
      return transport.json(
        {
          method: 'GET',
          template: PAYMENT_PATHS.preview,
          params: { company_uuid: companyId },
          auth: companyAuth(companyId),
          body: b,
        },
        contractorPaymentPreviewSchema,
      );
    },

    /**
     * Creates and processes one payment. There is no idempotency key: before retrying after an
     * ambiguous failure, look for the payment with `list` and adopt it.
     */
    async create(
      companyId: string,
      body: ContractorPaymentCreate,
      options: NowOption = {},
    ): Promise<ContractorPayment> {
      const op = 'contractorPayments.create';
      assertIds(op, { companyId });
      const b = parseInput(contractorPaymentCreateSchema, body, op);
      throwIfAny([historicalDateIssue(b.payment_method, b.date, options.now ?? now(), 'date')], op);
      return transport.json(
        {
          method: 'POST',
          template: PAYMENT_PATHS.collection,
          params: { company_id: companyId },
          auth: companyAuth(companyId),
          body: b,
        },
        contractorPaymentSchema,
      );
    },

    async get(companyId: string, paymentId: string): Promise<ContractorPayment> {
      assertIds('contractorPayments.get', { companyId, paymentId });
      return transport.json(
        { method: 'GET', template: PAYMENT_PATHS.one, ...one(companyId, paymentId) },
        contractorPaymentSchema,
      );
    },

    /** Payments with check dates in [startDate, endDate]; see flattenContractorPayments. */
    async list(companyId: string, query: ContractorPaymentListQuery): Promise<ContractorPaymentSummary> {
      const op = 'contractorPayments.list';
      assertIds(op, { companyId });
      const q = parseInput(contractorPaymentListQuerySchema, query, op);
      return transport.json(
        {
          method: 'GET',
          template: PAYMENT_PATHS.collection,
          params: { company_id: companyId },
          auth: companyAuth(companyId),
          query: {
            start_date: q.startDate,
            end_date: q.endDate,
            contractor_uuid: q.contractorUuid,
            group_by_date: q.groupByDate,
            page: q.page,
            per: q.per,
          },
        },
        contractorPaymentSummarySchema,
      );
    },

    /** Cancels an unfunded payment (204); 422 once it can no longer be cancelled. */
    async cancel(companyId: string, paymentId: string): Promise<void> {
      assertIds('contractorPayments.cancel', { companyId, paymentId });
      await transport.empty({ method: 'DELETE', template: PAYMENT_PATHS.one, ...one(companyId, paymentId) });
    },

    /** Exists only for funded Direct Deposit payments (404 otherwise). */
    async receipt(companyId: string, paymentId: string): Promise<ContractorPaymentReceipt> {
      assertIds('contractorPayments.receipt', { companyId, paymentId });
      return transport.json(
        { method: 'GET', template: PAYMENT_PATHS.receipt, ...byUuid(companyId, paymentId) },
        contractorPaymentReceiptSchema,
      );
    },

    /** Demo environment only: simulate funding. */
    async fund(companyId: string, paymentId: string): Promise<ContractorPayment> {
      assertIds('contractorPayments.fund', { companyId, paymentId });
      return transport.json(
        { method: 'PUT', template: PAYMENT_PATHS.fund, ...byUuid(companyId, paymentId) },
        contractorPaymentSchema,
      );
    },
  };
}

/** A group has one check date; if any payment in it is historical, that date may not be in the future. */
function groupHistoricalIssues(
  body: { check_date?: string | undefined; contractor_payments: { payment_method?: string | undefined }[] },
  at: Date,
): (InputIssue | undefined)[] {
  const historical = body.contractor_payments.some((p) => p.payment_method === 'Historical Payment');
  return historical ? [historicalDateIssue('Historical Payment', body.check_date, at, 'check_date')] : [];
}

export function contractorPaymentGroupsApi({ transport, now }: ClientContext) {
  const one = (companyId: string, groupId: string) => ({
    params: { contractor_payment_group_uuid: groupId },
    auth: companyAuth(companyId),
  });

  return {
    /** Validates the group and returns debit date, totals and the `creation_token` to create it with. */
    async preview(
      companyId: string,
      body: ContractorPaymentGroupPreviewBody,
      options: NowOption = {},
    ): Promise<ContractorPaymentGroupPreview> {
      const op = 'contractorPaymentGroups.preview';
      assertIds(op, { companyId });
      const b = parseInput(contractorPaymentGroupPreviewBodySchema, body, op);
      throwIfAny(groupHistoricalIssues(b, options.now ?? now()), op);
      return transport.json(
        {
          method: 'POST',
          template: GROUP_PATHS.preview,
          params: { company_id: companyId },
          auth: companyAuth(companyId),
          body: b,
        },
        contractorPaymentGroupPreviewSchema,
      );
    },

    /** Idempotent by `creation_token`: a retry with the same token returns the same group. */
    async create(
      companyId: string,
      body: ContractorPaymentGroupCreateBody,
      options: NowOption = {},
    ): Promise<ContractorPaymentGroup> {
      const op = 'contractorPaymentGroups.create';
      assertIds(op, { companyId });
      const b = parseInput(contractorPaymentGroupCreateBodySchema, body, op);
      throwIfAny(groupHistoricalIssues(b, options.now ?? now()), op);
      return transport.json(
        {
          method: 'POST',
          template: GROUP_PATHS.collection,
          params: { company_id: companyId },
          auth: companyAuth(companyId),
          body: b,
        },
        contractorPaymentGroupSchema,
      );
    },

    async get(companyId: string, groupId: string): Promise<ContractorPaymentGroup> {
      assertIds('contractorPaymentGroups.get', { companyId, groupId });
      return transport.json(
        { method: 'GET', template: GROUP_PATHS.one, ...one(companyId, groupId) },
        contractorPaymentGroupSchema,
      );
    },

    /** Minimal groups (totals, no payments) with check dates in the range. */
    async list(
      companyId: string,
      query: ContractorPaymentGroupListQuery = {},
    ): Promise<ContractorPaymentGroup[]> {
      const op = 'contractorPaymentGroups.list';
      assertIds(op, { companyId });
      const q = parseInput(contractorPaymentGroupListQuerySchema, query, op);
      return transport.json(
        {
          method: 'GET',
          template: GROUP_PATHS.collection,
          params: { company_id: companyId },
          auth: companyAuth(companyId),
          query: { start_date: q.startDate, end_date: q.endDate, page: q.page, per: q.per },
        },
        contractorPaymentGroupListSchema,
      );
    },

    /** Cancels (deletes) a group whose payments are all still cancellable (204). */
    async cancel(companyId: string, groupId: string): Promise<void> {
      assertIds('contractorPaymentGroups.cancel', { companyId, groupId });
      await transport.empty({ method: 'DELETE', template: GROUP_PATHS.one, ...one(companyId, groupId) });
    },

    /** Demo environment only: simulate funding. */
    async fund(companyId: string, groupId: string): Promise<ContractorPaymentGroup> {
      assertIds('contractorPaymentGroups.fund', { companyId, groupId });
      return transport.json(
        { method: 'PUT', template: GROUP_PATHS.fund, ...one(companyId, groupId) },
        contractorPaymentGroupSchema,
      );
    },
  };
}

export type ContractorPaymentsApi = ReturnType<typeof contractorPaymentsApi>;
export type ContractorPaymentGroupsApi = ReturnType<typeof contractorPaymentGroupsApi>;
