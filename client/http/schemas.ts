import { z } from 'zod';

/*
 * Response shapes of the HTTP API. The processes' state types are TypeScript interfaces (workflow code
 * carries no zod), so these schemas restate the fields a caller relies on. They are loose objects:
 * a process may add fields without breaking the documented contract, and the contract test checks
 * every real response against these.
 */

const isoInstant = z.string().describe('ISO 8601 instant');
const calendarDate = z.string().describe('calendar date YYYY-MM-DD');
const decimal = z.string().describe('decimal string, e.g. "1234.50"');
const gustoCalls = z.union([z.number().int(), z.record(z.string(), z.number().int())]);

export const GustoErrorItem = z.looseObject({
  error_key: z.string().optional(),
  category: z.string().optional(),
  message: z.string().optional(),
});

// ---- contractors -----------------------------------------------------------------------------

export const TransitionState = z
  .looseObject({
    kind: z.enum(['dismissal', 'rehire']),
    companyId: z.string(),
    contractorId: z.string(),
    date: calendarDate,
    policy: z.string(),
    stage: z.string(),
    outcome: z.string().optional(),
    timeZone: z.string().optional(),
    effectiveAt: isoInstant.optional(),
    cancellableUntil: isoInstant.optional(),
    cancelledConflicts: z.array(z.string()),
    adopted: z.boolean(),
    lastError: z.looseObject({ message: z.string(), type: z.string().optional(), at: isoInstant }).optional(),
    gustoCalls,
    webhooksSeen: z.number().int(),
  })
  .meta({ id: 'ContractorTransitionState' });

const ContractorSnapshot = z.looseObject({
  uuid: z.string(),
  company_uuid: z.string(),
  is_active: z.boolean(),
  dismissal_date: z.string().nullable(),
  version: z.string(),
});

export const DeactivationResult = z
  .looseObject({
    contractor: ContractorSnapshot,
    calls: z.array(z.string()),
    alreadyInactive: z.boolean(),
    attempts: z.number().int(),
  })
  .meta({ id: 'ContractorDeactivation' });

export const DeletionResult = z
  .looseObject({ contractorId: z.string(), deleted: z.literal(true), calls: z.array(z.string()) })
  .meta({ id: 'ContractorDeletion' });

// ---- payroll runs ----------------------------------------------------------------------------

const PayrollTotals = z.looseObject({
  company_debit: decimal,
  net_pay: decimal.describe('net pay of every employee on the payroll (Direct Deposit and check)'),
  gross_pay: decimal,
  tax_debit: decimal.optional(),
  reimbursement_debit: decimal.optional(),
});

export const StartedRun = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    payrollId: z.string(),
    started: z.boolean().describe('false: a run for this payroll already existed and is returned'),
    previousRunId: z
      .string()
      .optional()
      .describe('set on a restart: the run id of the run that ended without submitting'),
  })
  .meta({ id: 'StartedPayrollRun' });

export const PayrollRunState = z
  .looseObject({
    companyId: z.string(),
    payrollId: z.string(),
    stage: z.string(),
    stageTimes: z.record(z.string(), isoInstant),
    checkDate: calendarDate.optional(),
    deadline: isoInstant.optional(),
    cancelCutoff: isoInstant.optional(),
    employees: z.number().int().optional(),
    totals: PayrollTotals.optional(),
    review: z.looseObject({ policy: z.enum(['auto', 'manual']), decision: z.string().optional() }),
    edits: z.array(z.looseObject({ employeeId: z.string() })),
    lastError: z
      .looseObject({
        at: isoInstant,
        step: z.string(),
        message: z.string(),
        gustoErrors: z.array(GustoErrorItem).optional(),
      })
      .optional(),
    warnings: z.array(z.looseObject({ at: isoInstant, kind: z.string(), message: z.string() })),
    blockers: z
      .looseObject({
        since: isoInstant,
        checkedAt: isoInstant,
        items: z.array(z.looseObject({ key: z.string(), message: z.string() })),
      })
      .optional()
      .describe("Gusto's payroll blockers while the run waits in stage `blocked`"),
    gustoCalls,
    webhookWakeups: z.number().int(),
    rounds: z.number().int(),
    receipt: z
      .looseObject({
        companyDebit: decimal.optional(),
        netPayDebit: decimal
          .optional()
          .describe(
            "Gusto's net_pay_debit: the Direct Deposit part of net pay debited from the company (not totals.net_pay)",
          ),
        debitDate: calendarDate.optional(),
        checkDate: calendarDate.optional(),
        employees: z.number().int().optional(),
      })
      .optional(),
  })
  .meta({ id: 'PayrollRunState' });

export const PayrollCancelResult = z
  .looseObject({ cancelled: z.literal(true), gustoCancelled: z.boolean() })
  .meta({ id: 'PayrollCancelResult' });

export const PayrollRunList = z
  .object({
    runs: z.array(
      z.looseObject({
        workflowId: z.string(),
        runId: z.string(),
        status: z.string(),
        companyId: z.string().optional(),
        stage: z.string().optional(),
        checkDate: calendarDate.optional(),
        deadline: isoInstant.optional(),
        startTime: isoInstant,
        closeTime: isoInstant.optional(),
      }),
    ),
  })
  .meta({ id: 'PayrollRunList' });

export const PayrollSchedule = z
  .looseObject({
    scheduleId: z.string(),
    companyId: z.string(),
    paused: z.boolean(),
    note: z.string().optional(),
    timeZone: z.string().optional(),
    hour: z.number().int().optional().describe('hour of the scan in timeZone'),
    minute: z.number().int().optional(),
    daysOfWeek: z.array(z.string()).optional().describe('days the scan runs, e.g. MONDAY'),
    lookAheadDays: z.number().int().optional(),
    review: z.enum(['auto', 'manual']).optional().describe('review policy of the runs it starts'),
    deadlinePolicy: z.string().optional(),
    nextFirings: z.array(isoInstant),
    recentFirings: z.array(z.object({ scheduledAt: isoInstant, workflowId: z.string() })),
  })
  .meta({ id: 'PayrollSchedule' });

export const Deleted = z.object({ deleted: z.literal(true) }).meta({ id: 'Deleted' });

// ---- contractor payments -----------------------------------------------------------------------

const PaymentTotals = z.looseObject({
  amount: decimal,
  wageAmount: decimal,
  reimbursementAmount: decimal,
  debitAmount: decimal,
});

const cents = z.number().int().describe('integer cents');

const ReceiptFigures = z
  .looseObject({
    paymentId: z.string(),
    contractorId: z.string().optional(),
    debitDate: calendarDate.optional(),
    companyDebitCents: cents.optional(),
    wageCents: cents.optional(),
    bonusCents: cents.optional(),
    reimbursementCents: cents.optional(),
  })
  .meta({ id: 'ContractorPaymentReceiptFigures', description: "Gusto's receipt of a funded payment" });

const paymentCommon = {
  stage: z.string(),
  stageTimes: z.record(z.string(), isoInstant).optional().describe('when each stage was last entered'),
  companyId: z.string(),
  approval: z.enum(['auto', 'manual']),
  totals: PaymentTotals.optional(),
  debitDate: calendarDate.optional(),
  cancelCutoff: isoInstant.optional(),
  fundingStatus: z.string().optional(),
  lastError: z
    .looseObject({
      message: z.string(),
      type: z.string().optional(),
      errors: z.array(GustoErrorItem).optional(),
    })
    .optional(),
  gustoCalls,
  events: z.number().int(),
};

export const ContractorPaymentState = z
  .looseObject({
    ...paymentCommon,
    contractorId: z.string(),
    date: calendarDate,
    paymentMethod: z.string(),
    paymentId: z.string().optional(),
    mayCancel: z.boolean().optional(),
    receipt: ReceiptFigures.optional(),
  })
  .meta({ id: 'ContractorPaymentState' });

export const ContractorPaymentGroupState = z
  .looseObject({
    ...paymentCommon,
    checkDate: calendarDate,
    groupId: z.string().optional(),
    payments: z.array(z.looseObject({ paymentId: z.string(), contractorId: z.string(), status: z.string() })),
    mayCancel: z.boolean().optional(),
    receipts: z.array(ReceiptFigures).optional(),
  })
  .meta({ id: 'ContractorPaymentGroupState' });

const started = <S extends z.ZodType>(state: S, id: string) =>
  z
    .object({
      workflowId: z.string(),
      businessKey: z.string(),
      started: z.boolean().describe('false: a run with this business key already existed'),
      state,
    })
    .meta({ id });

export const StartedContractorPayment = started(ContractorPaymentState, 'StartedContractorPayment');
export const StartedContractorPaymentGroup = started(
  ContractorPaymentGroupState,
  'StartedContractorPaymentGroup',
);

export const Approved = z.object({ approved: z.literal(true) }).meta({ id: 'Approved' });

export const PaymentCancelResult = z
  .looseObject({ cancelled: z.literal(true), deletedAtGusto: z.boolean() })
  .meta({ id: 'ContractorPaymentCancelResult' });

export const ContractorPaymentListing = z
  .object({
    startDate: calendarDate,
    endDate: calendarDate,
    payments: z.array(z.looseObject({ uuid: z.string() })),
    groups: z.array(z.looseObject({ uuid: z.string() })),
  })
  .meta({ id: 'ContractorPaymentListing', description: 'As Gusto returns them, read now' });
