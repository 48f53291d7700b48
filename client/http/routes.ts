import { z } from 'zod';
import * as payments from '../contractor-payments.js';
import * as contractors from '../contractors.js';
import { ServiceError } from '../errors.js';
import * as payroll from '../payroll.js';
import * as schedules from '../schedules.js';
import { codecRoutes } from './codec.js';
import { eventRoutes } from './event-routes.js';
import { checkHealth, HealthBody } from './health.js';
import { offCycleRoutes } from './off-cycle-routes.js';
import { CompanyParams, defineRoute, reply, uuid, type RouteContext, type RouteSpec } from './route.js';
import * as S from './schemas.js';
import { receiveGustoWebhook, WebhookAck } from './webhooks.js';

const RunParams = z.object({ companyId: uuid(), payrollId: uuid() });
const PayStubParams = z.object({ companyId: uuid(), payrollId: uuid(), employeeId: uuid() });
const ContractorParams = z.object({ companyId: uuid(), contractorId: uuid() });
const PaymentParams = z.object({ companyId: uuid(), businessKey: payments.businessKeySchema });

/** The body is the client schema minus the ids the path carries. */
const without = <T extends z.ZodRawShape, K extends keyof T>(shape: T, ...keys: K[]) =>
  z.strictObject(
    Object.fromEntries(Object.entries(shape).filter(([k]) => !keys.includes(k as K))) as Omit<T, K>,
  );

/** 201 when this call started the run, 200 when it found the run an earlier call started. */
const startedReply = <T extends { started: boolean }>(r: T) => reply(r.started ? 201 : 200, r);

const RUN = '/v1/companies/{companyId}/payroll-runs/{payrollId}';
const SCHEDULE = '/v1/companies/{companyId}/payroll-schedule';

/**
 * THE route table: every endpoint of the HTTP API, its schemas and its handler. Handlers stay short:
 * validation happened before them (from these schemas) and the typed client functions do the work.
 * The OpenAPI document at /openapi.json is generated from this table.
 */
export const apiRoutes: RouteSpec[] = [
  // ---- system ----------------------------------------------------------------------------------
  defineRoute({
    method: 'GET',
    path: '/healthz',
    operationId: 'health',
    summary: 'Ready when Temporal answers and a worker polls the task queue',
    tag: 'system',
    auth: false,
    responses: {
      200: { description: 'Ready', schema: HealthBody },
      503: { description: 'Not ready: Temporal unreachable or no worker polling', schema: HealthBody },
    },
    handler: async (_, ctx) => {
      const health = await checkHealth(ctx.temporal, ctx.taskQueue, ctx.isWorkerReady);
      return reply(health.status === 'ok' ? 200 : 503, health);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This document (OpenAPI 3.1, generated from the route table)',
    tag: 'system',
    auth: false,
    responses: { 200: { description: 'OpenAPI document', schema: z.looseObject({ openapi: z.string() }) } },
    handler: async (_, ctx) => ctx.openapi,
  }),
  defineRoute({
    method: 'POST',
    path: '/webhooks/gusto',
    operationId: 'gustoWebhook',
    summary: 'Gusto webhook ingress (signed events and the subscription handshake)',
    description:
      'Verifies X-Gusto-Signature (HMAC-SHA256 of the raw body) and signals the waiting workflow with ' +
      '`gustoEvent`. Never starts a workflow. The first POST of a new subscription carries its ' +
      'verification token; the ingress verifies the subscription through the Gusto API.',
    tag: 'webhooks',
    auth: false,
    rawBody: true,
    responses: {
      200: { description: 'Acknowledged (also when no workflow waits for the event)', schema: WebhookAck },
      401: { description: 'Missing or wrong signature; nothing was signalled' },
    },
    handler: async (_, ctx) => {
      const signature = ctx.headers['x-gusto-signature'];
      if (Array.isArray(signature)) throw new ServiceError('unauthorized', 'more than one X-Gusto-Signature');
      return receiveGustoWebhook(ctx.rawBody ?? Buffer.alloc(0), signature, {
        ...ctx,
        keys: ctx.webhookKeys,
      });
    },
  }),

  // ---- payroll runs ------------------------------------------------------------------------------
  defineRoute({
    method: 'POST',
    path: '/v1/companies/{companyId}/payroll-runs',
    operationId: 'startPayrollRun',
    summary: "Start the run for a payroll (default: the company's earliest unprocessed regular payroll)",
    description:
      'Idempotent: the same company and payroll always give the same run (201 started, 200 existing). ' +
      'A run that ended without submitting (rejected, stopped, cancelled before submit, failed) is not ' +
      'returned: the answer is 409 `run_ended`, and `"restart": true` starts the payroll again under the ' +
      'same id. A run that may have submitted is never started again (422).',
    tag: 'payroll runs',
    params: CompanyParams,
    body: without(payroll.startPayrollRunSchema.shape, 'companyId'),
    responses: {
      201: { description: 'Run started (or restarted: `previousRunId` is set)', schema: S.StartedRun },
      200: { description: 'The run for this payroll already existed', schema: S.StartedRun },
      404: { description: 'No such company or payroll' },
      409: {
        description:
          '`run_ended`: the payroll run ended without submitting; send `"restart": true`. `conflict`: a restart of a run that is still open',
      },
      422: {
        description: 'Refused (e.g. nothing to run, payroll blockers, restart of a run that submitted)',
      },
    },
    handler: async ({ params, body }, ctx) =>
      startedReply(await payroll.startPayrollRun(ctx, { ...params, ...body })),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/companies/{companyId}/payroll-runs',
    operationId: 'listPayrollRuns',
    summary: 'Runs of a company, optionally in one stage (Temporal visibility)',
    tag: 'payroll runs',
    params: CompanyParams,
    query: z.strictObject({
      stage: payroll.listPayrollRunsSchema.shape.stage,
      limit: z.coerce.number().int('must be a whole number').min(1).max(1000).optional(),
    }),
    responses: { 200: { description: 'Runs, newest first', schema: S.PayrollRunList } },
    handler: async ({ params, query }, ctx) => ({
      runs: await payroll.listPayrollRuns(ctx, { ...params, ...query }),
    }),
  }),
  defineRoute({
    method: 'GET',
    path: RUN,
    operationId: 'getPayrollRun',
    summary: 'Stage, timestamps, totals, last error and Gusto calls of a run',
    tag: 'payroll runs',
    params: RunParams,
    responses: {
      200: { description: 'State', schema: S.PayrollRunState },
      404: { description: 'No such run' },
    },
    handler: async ({ params }, ctx) => payroll.getPayrollRunState(ctx, params),
  }),
  ...(
    [
      [
        'approve',
        'Approve the totals you saw (a stale approval is refused with 409)',
        payroll.approveSchema,
        payroll.approvePayrollRun,
      ],
      [
        'reject',
        'Reject the calculated payroll (nothing is submitted)',
        payroll.rejectSchema,
        payroll.rejectPayrollRun,
      ],
      [
        'edit',
        'Replace compensations; the run re-prepares and re-calculates',
        payroll.editSchema,
        payroll.editPayrollRun,
      ],
      [
        'retry',
        'Run the failed step again after processing_failed',
        payroll.payrollRunRefSchema,
        payroll.retryPayrollRun,
      ],
    ] as const
  ).map(([action, summary, schema, fn]) =>
    defineRoute({
      method: 'POST',
      path: `${RUN}/${action}`,
      operationId: `${action}PayrollRun`,
      summary,
      tag: 'payroll runs',
      params: RunParams,
      body: without(schema.shape, 'companyId', 'payrollId'),
      responses: {
        200: { description: 'The run after the change', schema: S.PayrollRunState },
        404: { description: 'No such run' },
        409: { description: 'Conflict with the current state (e.g. totals changed since you saw them)' },
        422: { description: 'Refused: not possible in this stage, or the run has ended' },
      },
      handler: async ({ params, body }, ctx) => fn(ctx, { ...params, ...body }),
    }),
  ),
  defineRoute({
    method: 'POST',
    path: `${RUN}/cancel`,
    operationId: 'cancelPayrollRun',
    summary: 'Cancel the run (a submitted payroll is reverted in Gusto) until the cancel cutoff',
    tag: 'payroll runs',
    params: RunParams,
    body: without(payroll.cancelSchema.shape, 'companyId', 'payrollId'),
    responses: {
      200: { description: 'Cancelled', schema: S.PayrollCancelResult },
      404: { description: 'No such run' },
      422: { description: 'Refused: past 3:30 pm America/Los_Angeles on the deadline date, or ended' },
    },
    handler: async ({ params, body }, ctx) => payroll.cancelPayrollRun(ctx, { ...params, ...body }),
  }),
  defineRoute({
    method: 'GET',
    path: `${RUN}/pay-stubs/{employeeId}`,
    operationId: 'getPayStub',
    summary: "An employee's pay stub (PDF) once the payroll is processed",
    tag: 'payroll runs',
    params: PayStubParams,
    responses: {
      200: { description: 'The PDF', contentType: 'application/pdf' },
      404: { description: 'No such run or employee' },
      422: { description: 'Not processed yet' },
    },
    handler: async ({ params }, ctx) =>
      reply(200, await payroll.getPayStub({ ...ctx, gusto: gustoOf(ctx) }, params), {
        contentType: 'application/pdf',
        headers: { 'content-disposition': `inline; filename="pay-stub-${params.employeeId}.pdf"` },
      }),
  }),

  // ---- payroll schedule ------------------------------------------------------------------------
  defineRoute({
    method: 'POST',
    path: SCHEDULE,
    operationId: 'createPayrollSchedule',
    summary: "Create the company's payroll Schedule (scans for upcoming payrolls on a calendar)",
    tag: 'payroll schedule',
    params: CompanyParams,
    body: without(schedules.payrollScheduleSchema.shape, 'companyId'),
    responses: {
      201: { description: 'Created', schema: S.PayrollSchedule },
      400: { description: 'Bad input, or no Gusto access token for the company (`field`: companyId)' },
      404: { description: 'Gusto has no such company (`field`: companyId); nothing is created' },
      409: { description: 'The company already has one' },
    },
    handler: async ({ params, body }, ctx) =>
      reply(
        201,
        await schedules.createPayrollSchedule({ ...ctx, gusto: gustoOf(ctx) }, { ...params, ...body }),
      ),
  }),
  defineRoute({
    method: 'GET',
    path: SCHEDULE,
    operationId: 'getPayrollSchedule',
    summary: "The company's payroll Schedule: paused?, next and recent firings",
    tag: 'payroll schedule',
    params: CompanyParams,
    responses: {
      200: { description: 'The schedule', schema: S.PayrollSchedule },
      404: { description: 'None' },
    },
    handler: async ({ params }, ctx) => schedules.describePayrollSchedule(ctx, params),
  }),
  defineRoute({
    method: 'PUT',
    path: SCHEDULE,
    operationId: 'updatePayrollSchedule',
    summary: 'Replace the calendar, time zone and run options (pausing is kept)',
    tag: 'payroll schedule',
    params: CompanyParams,
    body: without(schedules.payrollScheduleSchema.shape, 'companyId'),
    responses: { 200: { description: 'Updated', schema: S.PayrollSchedule }, 404: { description: 'None' } },
    handler: async ({ params, body }, ctx) => schedules.updatePayrollSchedule(ctx, { ...params, ...body }),
  }),
  ...(
    [
      ['pause', 'Pause the Schedule (no scans until unpaused)', schedules.pausePayrollSchedule],
      ['unpause', 'Unpause the Schedule', schedules.unpausePayrollSchedule],
      [
        'trigger',
        'Scan now; payrolls that already have runs are left alone',
        schedules.triggerPayrollSchedule,
      ],
    ] as const
  ).map(([action, summary, fn]) =>
    defineRoute({
      method: 'POST',
      path: `${SCHEDULE}/${action}`,
      operationId: `${action}PayrollSchedule`,
      summary,
      tag: 'payroll schedule',
      params: CompanyParams,
      body: z.strictObject({ note: z.string().max(500).optional() }),
      responses: {
        200: { description: 'The schedule', schema: S.PayrollSchedule },
        404: { description: 'None' },
      },
      handler: async ({ params, body }, ctx) => fn(ctx, { ...params, ...body }),
    }),
  ),
  defineRoute({
    method: 'DELETE',
    path: SCHEDULE,
    operationId: 'deletePayrollSchedule',
    summary: "Delete the company's payroll Schedule (runs already started carry on)",
    tag: 'payroll schedule',
    params: CompanyParams,
    responses: { 200: { description: 'Deleted', schema: S.Deleted }, 404: { description: 'None' } },
    handler: async ({ params }, ctx) => schedules.deletePayrollSchedule(ctx, params),
  }),

  // ---- contractor payments and groups ----------------------------------------------------------
  defineRoute({
    method: 'GET',
    path: '/v1/companies/{companyId}/contractor-payments',
    operationId: 'listContractorPayments',
    summary: 'Payments and groups with a check date in the range, read from Gusto now',
    tag: 'contractor payments',
    params: CompanyParams,
    query: payments.paymentRangeSchema,
    responses: { 200: { description: 'As Gusto has them', schema: S.ContractorPaymentListing } },
    handler: async ({ params, query }, ctx) =>
      payments.listContractorPayments(gustoOf(ctx), params.companyId, query),
  }),
  ...(['payment', 'group'] as const).flatMap((kind) => paymentRoutes(kind)),
  ...offCycleRoutes,

  // ---- contractor dismissal / rehire ----------------------------------------------------------
  ...(['dismissal', 'rehire'] as const).flatMap((kind) => transitionRoutes(kind)),
  defineRoute({
    method: 'POST',
    path: '/v1/companies/{companyId}/contractors/{contractorId}/deactivate',
    operationId: 'deactivateContractorNow',
    summary: 'Mark a contractor inactive now (Gusto PUT with the current version)',
    tag: 'contractors',
    params: ContractorParams,
    responses: {
      200: { description: 'Inactive', schema: S.DeactivationResult },
      422: { description: 'Refused' },
    },
    handler: async ({ params }, ctx) => contractors.deactivateContractorNow(ctx, params),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/companies/{companyId}/contractors/{contractorId}',
    operationId: 'deleteContractor',
    summary: 'Delete a contractor who was never paid (a paid one must be dismissed)',
    tag: 'contractors',
    params: ContractorParams,
    responses: {
      200: { description: 'Deleted', schema: S.DeletionResult },
      404: { description: 'No such contractor' },
      422: { description: 'Refused: the contractor has payments' },
    },
    handler: async ({ params }, ctx) => contractors.deleteContractor(ctx, params),
  }),

  // ---- payload codec (the Web UI's and CLI's remote codec) ----------------------------------------
  ...codecRoutes,
  // ---- outbound events (event-routes.ts) ------------------------------------------------------
  ...eventRoutes,
];

function transitionRoutes(kind: 'dismissal' | 'rehire'): RouteSpec[] {
  const Kind = kind === 'dismissal' ? 'Dismissal' : 'Rehire';
  const path = `/v1/companies/{companyId}/contractors/{contractorId}/${kind}`;
  const body =
    kind === 'dismissal'
      ? contractors.dismissalInputSchema.omit({ companyId: true, contractorId: true })
      : contractors.rehireInputSchema.omit({ companyId: true, contractorId: true });
  return [
    defineRoute({
      method: 'POST',
      path,
      operationId: `schedule${Kind}`,
      summary: `Schedule the contractor's ${kind} in Gusto and hold it until its date`,
      description:
        'Idempotent per contractor: a second call returns the running one (409 if its date differs).',
      tag: 'contractors',
      params: ContractorParams,
      body,
      responses: {
        200: { description: 'Scheduled', schema: S.TransitionState },
        409: { description: `Another ${kind} of this contractor is in progress` },
        422: { description: 'Refused (e.g. a conflicting scheduled transition with policy refuse)' },
      },
      handler: async ({ params, body }, ctx) =>
        kind === 'dismissal'
          ? contractors.startDismissal(ctx, { ...params, ...body })
          : contractors.startRehire(ctx, { ...params, ...body }),
    }),
    defineRoute({
      method: 'GET',
      path,
      operationId: `get${Kind}`,
      summary: `State of the contractor's ${kind}`,
      tag: 'contractors',
      params: ContractorParams,
      responses: {
        200: { description: 'State', schema: S.TransitionState },
        404: { description: `No ${kind}` },
      },
      handler: async ({ params }, ctx) =>
        ofCompany(
          params.companyId,
          await contractors.getTransitionState(ctx, { kind, contractorId: params.contractorId }),
        ),
    }),
    defineRoute({
      method: 'POST',
      path: `${path}/cancel`,
      operationId: `cancel${Kind}`,
      summary: `Cancel the scheduled ${kind} (until its date, or in the grace period)`,
      tag: 'contractors',
      params: ContractorParams,
      body: contractors.cancelTransitionSchema.pick({ reason: true }),
      responses: {
        200: { description: 'Cancelled', schema: S.TransitionState },
        404: { description: `No ${kind}` },
        422: { description: 'Refused: too late to cancel, or already ended' },
      },
      handler: async ({ params, body }, ctx) => {
        const ref = { kind, contractorId: params.contractorId };
        ofCompany(params.companyId, await contractors.getTransitionState(ctx, ref));
        return contractors.cancelTransition(ctx, { ...ref, ...body });
      },
    }),
  ];
}

/** Runs keyed by contractor alone must still belong to the company in the path. */
function ofCompany<T extends { companyId: string }>(companyId: string, state: T): T {
  if (state.companyId !== companyId) throw new ServiceError('not_found', 'no such run for this company');
  return state;
}

function paymentRoutes(kind: 'payment' | 'group'): RouteSpec[] {
  const group = kind === 'group';
  const Kind = group ? 'ContractorPaymentGroup' : 'ContractorPayment';
  const collection = `/v1/companies/{companyId}/${group ? 'contractor-payment-groups' : 'contractor-payments'}`;
  const one = `${collection}/{businessKey}`;
  const State = group ? S.ContractorPaymentGroupState : S.ContractorPaymentState;
  const ref = (p: { companyId: string; businessKey: string }) => ({ kind, ...p });
  const what = group ? 'group of contractor payments' : 'contractor payment';
  return [
    defineRoute({
      method: 'POST',
      path: collection,
      operationId: `start${Kind}`,
      summary: `Pay ${group ? 'several contractors on one check date' : 'one contractor'}: preview, create, wait until funded`,
      description:
        'Returns once previewed (totals, debit date). Idempotent by businessKey (derived from the request ' +
        'when omitted): 201 started, 200 existing; the same key for a different payment is a 409.',
      tag: 'contractor payments',
      params: CompanyParams,
      body: group
        ? without(payments.contractorPaymentGroupInputSchema.shape, 'companyId')
        : without(payments.contractorPaymentInputSchema.shape, 'companyId'),
      responses: {
        201: {
          description: 'Started',
          schema: group ? S.StartedContractorPaymentGroup : S.StartedContractorPayment,
        },
        200: {
          description: 'Already started',
          schema: group ? S.StartedContractorPaymentGroup : S.StartedContractorPayment,
        },
        400: {
          description:
            'Bad input, naming the field: e.g. a contractor not payable on the date, or a Direct Deposit dated ' +
            "too soon (the message names Gusto's earliest date). Nothing is started.",
        },
        404: { description: 'No such company in Gusto' },
        409: { description: 'The businessKey names a different payment' },
        422: { description: 'Refused by Gusto' },
      },
      handler: async ({ params, body }, ctx) =>
        startedReply(
          group
            ? await payments.startContractorPaymentGroup(ctx, { ...params, ...body })
            : await payments.startContractorPayment(ctx, { ...params, ...body }),
        ),
    }),
    defineRoute({
      method: 'GET',
      path: one,
      operationId: `get${Kind}`,
      summary: `State of a ${what} run`,
      tag: 'contractor payments',
      params: PaymentParams,
      responses: { 200: { description: 'State', schema: State }, 404: { description: 'No such run' } },
      handler: async ({ params }, ctx) => payments.getContractorPaymentState(ctx, ref(params)),
    }),
    defineRoute({
      method: 'POST',
      path: `${one}/approve`,
      operationId: `approve${Kind}`,
      summary: `Approve the previewed total of a ${what} held for review`,
      tag: 'contractor payments',
      params: PaymentParams,
      body: without(payments.approvalSchema.shape, 'kind', 'companyId', 'businessKey'),
      responses: {
        200: { description: 'Approved', schema: S.Approved },
        404: { description: 'No such run' },
        409: { description: 'The total changed since you saw it' },
        422: { description: 'Refused: not awaiting approval, or ended' },
      },
      handler: async ({ params, body }, ctx) =>
        payments.approveContractorPayment(ctx, { ...ref(params), ...body }),
    }),
    defineRoute({
      method: 'POST',
      path: `${one}/cancel`,
      operationId: `cancel${Kind}`,
      summary: `Cancel the ${what} while Gusto allows it (may_cancel; Direct Deposit until the cutoff)`,
      description:
        'Follows Gusto, not whether the run is open: a completed Check or Historical payment (or group) is ' +
        'cancelled by a guarded cancel that reads it first and deletes it only if Gusto reports may_cancel.',
      tag: 'contractor payments',
      params: PaymentParams,
      body: without(payments.cancelSchema.shape, 'kind', 'companyId', 'businessKey'),
      responses: {
        200: { description: 'Cancelled', schema: S.PaymentCancelResult },
        404: { description: 'No such run' },
        422: {
          description: 'Refused: funded, processing, or past 3:30 pm America/Los_Angeles on the debit date',
        },
      },
      handler: async ({ params, body }, ctx) =>
        payments.cancelContractorPayment(ctx, { ...ref(params), ...body }),
    }),
  ];
}

/** Routes that read Gusto directly need the API's own Gusto client. */
function gustoOf(ctx: RouteContext) {
  if (!ctx.gusto) throw new ServiceError('upstream_failed', 'this API has no Gusto client configured');
  return ctx.gusto;
}
