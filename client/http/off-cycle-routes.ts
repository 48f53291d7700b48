/**
 * HTTP routes for off-cycle payrolls (bonus, correction...): start one under a business key, read its
 * state. Review, edits, retry and cancel go to its payroll run (the payroll-runs routes with the
 * payrollId in this state).
 */
import { z } from 'zod';
import { businessKeySchema } from '../contractor-payments.js';
import * as offCycle from '../off-cycle.js';
import { CompanyParams, defineRoute, reply, uuid, type RouteSpec } from './route.js';
import { GustoErrorItem, PayrollRunState } from './schemas.js';

const OffCycleParams = z.object({ companyId: uuid(), businessKey: businessKeySchema });

const OffCyclePayrollState = z
  .looseObject({
    businessKey: z.string(),
    companyId: z.string(),
    stage: z
      .string()
      .describe(
        'creating, running, deleting, then complete, cancelled, rejected or stopped (invalid: refused)',
      ),
    request: z.looseObject({
      reason: z.string(),
      startDate: z.string(),
      endDate: z.string(),
      checkDate: z.string(),
      employeeIds: z.array(z.string()),
    }),
    payrollId: z.string().optional(),
    runWorkflowId: z.string().optional().describe('the payroll run: approve, edit, cancel it there'),
    adopted: z.boolean().optional(),
    deleted: z.boolean().optional(),
    lastError: z
      .looseObject({ message: z.string(), gustoErrors: z.array(GustoErrorItem).optional() })
      .optional(),
    run: PayrollRunState.optional(),
  })
  .meta({ id: 'OffCyclePayrollState' });

const StartedOffCyclePayroll = z
  .object({
    workflowId: z.string(),
    businessKey: z.string(),
    started: z.boolean().describe('false: a run with this business key already existed'),
    state: OffCyclePayrollState,
  })
  .meta({ id: 'StartedOffCyclePayroll' });

const { companyId: _companyId, ...bodyShape } = offCycle.startOffCycleSchema.shape;

export const offCycleRoutes: RouteSpec[] = [
  defineRoute({
    method: 'POST',
    path: '/v1/companies/{companyId}/off-cycle-payrolls',
    operationId: 'startOffCyclePayroll',
    summary: 'Create an off-cycle payroll (bonus, correction...) exactly once and run it',
    description:
      'Idempotent by businessKey: 201 started, 200 existing; the same key for a different payroll is a ' +
      '409. Bad input (unknown reason, a check date in the past or not a bank business day, a period ' +
      'ending before it starts, an amount with more than 2 decimals) is a 400 naming the field, and ' +
      'nothing starts. Answers once Gusto answered the create (payrollId in the state). Gusto refusing ' +
      'it (e.g. employees not in the company) is a 400 naming the field with Gusto’s errors[] in ' +
      'details: nothing is created and the businessKey stays free for the corrected request.',
    tag: 'off-cycle payrolls',
    params: CompanyParams,
    body: z.strictObject(bodyShape),
    responses: {
      201: { description: 'Started', schema: StartedOffCyclePayroll },
      200: { description: 'Already started under this businessKey', schema: StartedOffCyclePayroll },
      400: { description: 'Bad input, or Gusto refused the create (the field named; nothing created)' },
      409: { description: 'The businessKey names a different off-cycle payroll' },
    },
    handler: async ({ params, body }, ctx) => {
      const started = await offCycle.startOffCyclePayroll(ctx, { ...params, ...body });
      return reply(started.started ? 201 : 200, started);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/companies/{companyId}/off-cycle-payrolls/{businessKey}',
    operationId: 'getOffCyclePayroll',
    summary: 'State of an off-cycle payroll run (with its payroll run’s state once running)',
    tag: 'off-cycle payrolls',
    params: OffCycleParams,
    responses: {
      200: { description: 'State', schema: OffCyclePayrollState },
      404: { description: 'No such run' },
    },
    handler: async ({ params }, ctx) => offCycle.getOffCyclePayrollState(ctx, params),
  }),
];
