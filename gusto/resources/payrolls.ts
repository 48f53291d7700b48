/** client.payrolls: the regular payroll run's calls. */
import { iteratePages, collectPages, MAX_PAGE_SIZE } from '../pagination.js';
import {
  MAX_COMPENSATIONS_PER_UPDATE,
  offCycleCreateBodySchema,
  payrollBlockerListSchema,
  payrollGetQuerySchema,
  payrollListQuerySchema,
  payrollListSchema,
  payrollPrepareSchema,
  payrollReceiptSchema,
  payrollSchema,
  payrollSubmitBodySchema,
  payrollUpdateBodySchema,
  payrollUpdateInputSchema,
  type EmployeeCompensation,
  type EmployeeCompensationEdit,
  type OffCycleCreateBody,
  type Payroll,
  type PayrollBlocker,
  type PayrollGetQuery,
  type PayrollListQuery,
  type PayrollPrepareOptions,
  type PayrollReceipt,
  type PayrollSubmitBody,
  type PayrollUpdateBody,
  type PayrollUpdateInput,
} from '../schemas/payrolls.js';
import { assertIds, chunk, parseInput, validateCompensationEdits } from '../validation.js';
import { companyAuth, type ClientContext } from './context.js';

const PATHS = {
  list: '/v1/companies/{company_id}/payrolls',
  one: '/v1/companies/{company_id}/payrolls/{payroll_id}',
  prepare: '/v1/companies/{company_id}/payrolls/{payroll_id}/prepare',
  calculate: '/v1/companies/{company_id}/payrolls/{payroll_id}/calculate',
  submit: '/v1/companies/{company_id}/payrolls/{payroll_id}/submit',
  cancel: '/v1/companies/{company_id}/payrolls/{payroll_id}/cancel',
  receipt: '/v1/payrolls/{payroll_uuid}/receipt',
  payStub: '/v1/payrolls/{payroll_id}/employees/{employee_id}/pay_stub',
  blockers: '/v1/companies/{company_uuid}/payrolls/blockers',
} as const;

export interface PayrollUpdateOptions {
  /**
   * The prepared payroll the edits apply to. When given, employees and compensation names are
   * checked against it before the first call (see validateCompensationEdits).
   */
  prepared?: Pick<Payroll, 'employee_compensations' | 'fixed_compensation_types'>;
}

function listQuery(q: PayrollListQuery) {
  return {
    processing_statuses: q.processingStatuses,
    payroll_types: q.payrollTypes,
    include: q.include,
    start_date: q.startDate,
    end_date: q.endDate,
    date_filter_by: q.dateFilterBy,
    sort_order: q.sortOrder,
    page: q.page,
    per: q.per,
  };
}

export function payrollsApi({ transport }: ClientContext) {
  const params = (companyId: string, payrollId: string) => ({ company_id: companyId, payroll_id: payrollId });

  const listPage = async (companyId: string, query: PayrollListQuery) =>
    transport.jsonWithHeaders(
      {
        method: 'GET',
        template: PATHS.list,
        params: { company_id: companyId },
        auth: companyAuth(companyId),
        query: listQuery(query),
      },
      payrollListSchema,
    );

  /** One PUT of already validated edits. */
  const putChunk = (companyId: string, payrollId: string, body: PayrollUpdateBody): Promise<Payroll> =>
    transport.json(
      {
        method: 'PUT',
        template: PATHS.one,
        params: params(companyId, payrollId),
        auth: companyAuth(companyId),
        body,
      },
      payrollSchema,
    );

  const api = {
    /** One page (default: Gusto's defaults, processed regular payrolls of the last 6 months). */
    async list(companyId: string, query: PayrollListQuery = {}): Promise<Payroll[]> {
      assertIds('payrolls.list', { companyId });
      const q = parseInput(payrollListQuerySchema, query, 'payrolls.list');
      return (await listPage(companyId, q)).data;
    },

    /** Every page of a list query, 100 per request. */
    pages(
      companyId: string,
      query: Omit<PayrollListQuery, 'page'> = {},
    ): AsyncGenerator<Payroll[], void, undefined> {
      assertIds('payrolls.pages', { companyId });
      const q = parseInput(payrollListQuerySchema, query, 'payrolls.pages');
      return iteratePages(async (page, per) => {
        const { data, headers } = await listPage(companyId, { ...q, page, per });
        return { items: data, headers };
      }, q.per ?? MAX_PAGE_SIZE);
    },

    listAll(companyId: string, query: Omit<PayrollListQuery, 'page'> = {}): Promise<Payroll[]> {
      return collectPages(api.pages(companyId, query));
    },

    async get(companyId: string, payrollId: string, query: PayrollGetQuery = {}): Promise<Payroll> {
      assertIds('payrolls.get', { companyId, payrollId });
      const q = parseInput(payrollGetQuerySchema, query, 'payrolls.get');
      return transport.json(
        {
          method: 'GET',
          template: PATHS.one,
          params: params(companyId, payrollId),
          auth: companyAuth(companyId),
          query: { include: q.include, page: q.page, per: q.per, sort_by: q.sortBy },
        },
        payrollSchema,
      );
    },

    /** Makes the payroll editable and returns it with each compensation's current `version`. */
    async prepare(
      companyId: string,
      payrollId: string,
      options: PayrollPrepareOptions = {},
    ): Promise<Payroll> {
      assertIds('payrolls.prepare', { companyId, payrollId });
      const o = parseInput(payrollPrepareSchema, options, 'payrolls.prepare');
      return transport.json(
        {
          method: 'PUT',
          template: PATHS.prepare,
          params: params(companyId, payrollId),
          auth: companyAuth(companyId),
          query: { page: o.page, per: o.per, sort_by: o.sortBy },
          ...(o.employeeUuids ? { body: { employee_uuids: o.employeeUuids } } : {}),
        },
        payrollSchema,
      );
    },

    /**
     * Applies any number of edits in PUTs of at most 100 (Gusto's limit), in order, and returns the
     * last response with the compensations of every chunk. All input is validated before the first
     * PUT. If a later chunk fails, earlier chunks stay applied: their versions moved, so a retry
     * from the same prepared payroll gets 409; re-prepare and re-apply (the edits are absolute
     * values, so re-applying is harmless).
     */
    async update(
      companyId: string,
      payrollId: string,
      input: PayrollUpdateInput,
      options: PayrollUpdateOptions = {},
    ): Promise<Payroll> {
      const op = 'payrolls.update';
      assertIds(op, { companyId, payrollId });
      const edits = parseInput(payrollUpdateInputSchema, input, op);
      if (options.prepared) validateCompensationEdits(options.prepared, edits.employeeCompensations, op);
      const shared = {
        withholding_pay_period: edits.withholdingPayPeriod,
        skip_regular_deductions: edits.skipRegularDeductions,
        fixed_withholding_rate: edits.fixedWithholdingRate,
      };
      let last: Payroll | undefined;
      const compensations: EmployeeCompensation[] = [];
      for (const part of chunk(edits.employeeCompensations, MAX_COMPENSATIONS_PER_UPDATE)) {
        last = await putChunk(companyId, payrollId, { employee_compensations: part, ...shared });
        compensations.push(...(last.employee_compensations ?? []));
      }
      // The schema guarantees at least one chunk.
      return { ...(last as Payroll), employee_compensations: compensations };
    },

    /** Exactly one PUT; refuses more than 100 compensations instead of splitting. */
    async updateChunk(companyId: string, payrollId: string, body: PayrollUpdateBody): Promise<Payroll> {
      const op = 'payrolls.updateChunk';
      assertIds(op, { companyId, payrollId });
      return putChunk(companyId, payrollId, parseInput(payrollUpdateBodySchema, body, op));
    },

    /** Starts the asynchronous calculation (202); watch `processing_request.status`. */
    async calculate(companyId: string, payrollId: string): Promise<void> {
      assertIds('payrolls.calculate', { companyId, payrollId });
      await transport.empty({
        method: 'PUT',
        template: PATHS.calculate,
        params: params(companyId, payrollId),
        auth: companyAuth(companyId),
      });
    },

    /** Starts the asynchronous submission (202). Not idempotent at Gusto: check state first. */
    async submit(companyId: string, payrollId: string, body: PayrollSubmitBody = {}): Promise<void> {
      assertIds('payrolls.submit', { companyId, payrollId });
      const b = parseInput(payrollSubmitBodySchema, body, 'payrolls.submit');
      await transport.empty({
        method: 'PUT',
        template: PATHS.submit,
        params: params(companyId, payrollId),
        auth: companyAuth(companyId),
        ...(b.submission_blockers ? { body: b } : {}),
      });
    },

    /** Returns a processed payroll to unprocessed (only before the deadline; 422 otherwise). */
    async cancel(companyId: string, payrollId: string): Promise<Payroll> {
      assertIds('payrolls.cancel', { companyId, payrollId });
      return transport.json(
        {
          method: 'PUT',
          template: PATHS.cancel,
          params: params(companyId, payrollId),
          auth: companyAuth(companyId),
        },
        payrollSchema,
      );
    },

    async receipt(companyId: string, payrollId: string): Promise<PayrollReceipt> {
      assertIds('payrolls.receipt', { companyId, payrollId });
      return transport.json(
        {
          method: 'GET',
          template: PATHS.receipt,
          params: { payroll_uuid: payrollId },
          auth: companyAuth(companyId),
        },
        payrollReceiptSchema,
      );
    },

    /** The employee's pay stub as PDF bytes. */
    async payStub(companyId: string, payrollId: string, employeeId: string): Promise<Buffer> {
      assertIds('payrolls.payStub', { companyId, payrollId, employeeId });
      return transport.binary({
        method: 'GET',
        template: PATHS.payStub,
        params: { payroll_id: payrollId, employee_id: employeeId },
        auth: companyAuth(companyId),
      });
    },

    /** Creates an unprocessed off-cycle payroll. No idempotency key at Gusto: read before a retry. */
    async createOffCycle(companyId: string, body: OffCycleCreateBody): Promise<Payroll> {
      assertIds('payrolls.createOffCycle', { companyId });
      return transport.json(
        {
          method: 'POST',
          template: PATHS.list,
          params: { company_id: companyId },
          auth: companyAuth(companyId),
          body: parseInput(offCycleCreateBodySchema, body, 'payrolls.createOffCycle'),
        },
        payrollSchema,
      );
    },

    /** Deletes an unprocessed payroll (204). */
    async delete(companyId: string, payrollId: string): Promise<void> {
      assertIds('payrolls.delete', { companyId, payrollId });
      await transport.empty({
        method: 'DELETE',
        template: PATHS.one,
        params: params(companyId, payrollId),
        auth: companyAuth(companyId),
      });
    },

    /** Reasons the company cannot run payroll; empty when it can. */
    async blockers(companyId: string): Promise<PayrollBlocker[]> {
      assertIds('payrolls.blockers', { companyId });
      return transport.json(
        {
          method: 'GET',
          template: PATHS.blockers,
          params: { company_uuid: companyId },
          auth: companyAuth(companyId),
        },
        payrollBlockerListSchema,
      );
    },
  };
  return api;
}

export type PayrollsApi = ReturnType<typeof payrollsApi>;
export type { EmployeeCompensationEdit };
