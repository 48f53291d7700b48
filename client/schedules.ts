/**
 * A company's payroll Schedule: a Temporal Schedule that fires `upcomingPayrollsWorkflow` on a calendar
 * in the company's time zone. Each firing starts a run for every payroll whose deadline is near; runs
 * have business-key ids, so overlapping, repeated or caught-up firings never start a payroll twice.
 * Every function throws ServiceError.
 */
import {
  ScheduleOverlapPolicy,
  type Client,
  type DayOfWeek,
  type ScheduleDescription,
  type ScheduleHandle,
  type ScheduleOptions,
} from '@temporalio/client';
import { z } from 'zod';
import type { GustoClient } from '../gusto/client.js';
import { uuidInput } from '../gusto/schemas/common.js';
import { calendarDate } from '../domain/dates.js';
import { upcomingPayrollsId, upcomingPayrollsScheduleId } from '../workflows/ids.js';
import { CompanyId } from '../workflows/search-attributes.js';
import type { UpcomingPayrollsInput } from '../workflows/upcoming-payrolls.js';
import { parseInput, ServiceError, toServiceError } from './errors.js';

export interface ScheduleServiceDeps {
  temporal: Client;
  taskQueue: string;
}

/** Creating a Schedule also reads the company from Gusto, with the token the worker will use. */
export interface CreateScheduleDeps extends ScheduleServiceDeps {
  gusto: Pick<GustoClient, 'companies'>;
}

const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;

const isTimeZone = (tz: string) => {
  try {
    calendarDate(new Date(0), tz);
    return true;
  } catch {
    return false;
  }
};

/** The longest run of days between consecutive firing days, going round the week. */
export function longestFiringGapDays(daysOfWeek: readonly string[]): number {
  const days = [...new Set(daysOfWeek.map((d) => DAYS.indexOf(d as (typeof DAYS)[number])))].sort(
    (a, b) => a - b,
  );
  return Math.max(...days.map((d, i) => (i + 1 < days.length ? days[i + 1]! - d : days[0]! + 7 - d)));
}

export const payrollScheduleSchema = z.strictObject({
  companyId: uuidInput,
  /** The company's IANA time zone; the calendar below is read in it (DST included). */
  timeZone: z
    .string({ error: 'is required' })
    .refine(isTimeZone, 'must be an IANA time zone such as America/Chicago'),
  hour: z.number().int().min(0).max(23, 'must be 0-23').default(9),
  minute: z.number().int().min(0).max(59, 'must be 0-59').default(0),
  daysOfWeek: z
    .array(z.enum(DAYS, { error: `must be one of ${DAYS.join(', ')}` }))
    .min(1, 'must name at least one day')
    .default(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY']),
  lookAheadDays: z.number().int().min(1, 'must be at least 1').max(90, 'must be at most 90').default(7),
  /** Firings missed while Temporal was unavailable run late if within this window (scans are idempotent). */
  catchupWindowMinutes: z
    .number()
    .int()
    .min(1)
    .default(24 * 60),
  review: z.enum(['auto', 'manual']).default('manual'),
  deadline: z
    .strictObject({
      policy: z.enum(['submit_late', 'stop_and_report']),
      warningLeadMinutes: z
        .number()
        .int()
        .min(0)
        .default(24 * 60),
    })
    .optional(),
  polling: z.boolean().default(true),
  paused: z.boolean().default(false),
  note: z.string().max(500).optional(),
});

/** The schedule as accepted: its fields, and a look-ahead covering the gaps between firings. */
const scheduleInputSchema = payrollScheduleSchema
  // A deadline between two firings must be seen by the earlier one, or it is only found once late.
  .superRefine((s, ctx) => {
    const gap = longestFiringGapDays(s.daysOfWeek);
    if (s.lookAheadDays < gap) {
      ctx.addIssue({
        code: 'custom',
        path: ['lookAheadDays'],
        message: `must be at least ${gap}: the longest gap between firings (daysOfWeek) is ${gap} days`,
      });
    }
  });
export type PayrollScheduleInput = z.input<typeof payrollScheduleSchema>;

const companySchema = z.strictObject({ companyId: uuidInput, note: z.string().max(500).optional() });

export interface PayrollScheduleSummary {
  scheduleId: string;
  companyId: string;
  paused: boolean;
  note?: string;
  timeZone?: string;
  /** When it scans, in `timeZone`. */
  hour?: number;
  minute?: number;
  daysOfWeek?: string[];
  lookAheadDays?: number;
  /** Review policy of the runs it starts. */
  review?: 'auto' | 'manual';
  deadlinePolicy?: string;
  nextFirings: string[];
  recentFirings: Array<{ scheduledAt: string; workflowId: string }>;
}

/**
 * Creates the Schedule once Gusto knows the company: an unknown company, or one this service holds no
 * token for, is refused here (naming `companyId`) instead of failing every firing.
 */
export async function createPayrollSchedule(
  deps: CreateScheduleDeps,
  input: unknown,
): Promise<PayrollScheduleSummary> {
  const parsed = parseInput(scheduleInputSchema, input);
  await companyMustExist(deps.gusto, parsed.companyId);
  const options = scheduleOptions(deps, parsed);
  const handle = await call(() => deps.temporal.schedule.create(options));
  return describeAfterWrite(handle);
}

/** Replaces the calendar, time zone and run options; pausing is left as it is. */
export async function updatePayrollSchedule(
  deps: ScheduleServiceDeps,
  input: unknown,
): Promise<PayrollScheduleSummary> {
  const parsed = parseInput(scheduleInputSchema, input);
  const { spec, action, policies } = scheduleOptions(deps, parsed);
  const handle = scheduleHandle(deps, parsed.companyId);
  await call(() => handle.update((previous) => ({ ...previous, spec, action, policies })));
  return describeAfterWrite(handle);
}

export async function pausePayrollSchedule(
  deps: ScheduleServiceDeps,
  input: unknown,
): Promise<PayrollScheduleSummary> {
  const { companyId, note } = parseInput(companySchema, input);
  return act(deps, companyId, (h) => h.pause(note ?? 'paused'));
}

export async function unpausePayrollSchedule(
  deps: ScheduleServiceDeps,
  input: unknown,
): Promise<PayrollScheduleSummary> {
  const { companyId, note } = parseInput(companySchema, input);
  return act(deps, companyId, (h) => h.unpause(note ?? 'unpaused'));
}

/** Fires now (outside the calendar); payrolls that already have runs are left alone. */
export async function triggerPayrollSchedule(
  deps: ScheduleServiceDeps,
  input: unknown,
): Promise<PayrollScheduleSummary> {
  const { companyId } = parseInput(companySchema, input);
  return act(deps, companyId, (h) => h.trigger(ScheduleOverlapPolicy.SKIP));
}

export async function deletePayrollSchedule(
  deps: ScheduleServiceDeps,
  input: unknown,
): Promise<{ deleted: true }> {
  const { companyId } = parseInput(companySchema, input);
  await call(() => scheduleHandle(deps, companyId).delete());
  return { deleted: true };
}

export async function describePayrollSchedule(
  deps: ScheduleServiceDeps,
  input: unknown,
): Promise<PayrollScheduleSummary> {
  const { companyId } = parseInput(companySchema, input);
  return summarise(await call(() => scheduleHandle(deps, companyId).describe()));
}

// ---------------------------------------------------------------------------------------------------

async function companyMustExist(gusto: CreateScheduleDeps['gusto'], companyId: string): Promise<void> {
  try {
    await gusto.companies.get(companyId);
  } catch (err) {
    const e = toServiceError(err);
    // The token provider has none for this company: Gusto does not know it, or we were not given it.
    if (e.code === 'invalid_input')
      throw new ServiceError(
        'invalid_input',
        `companyId: no Gusto access token for company ${companyId}: not a company of this partner, or its token is not configured`,
        'companyId',
      );
    if (e.code === 'not_found')
      throw new ServiceError('not_found', `companyId: Gusto has no company ${companyId}`, 'companyId');
    throw e;
  }
}

type ParsedSchedule = z.output<typeof payrollScheduleSchema>;

function scheduleOptions(deps: ScheduleServiceDeps, s: ParsedSchedule): ScheduleOptions {
  const args: [UpcomingPayrollsInput] = [
    {
      companyId: s.companyId,
      lookAheadDays: s.lookAheadDays,
      review: s.review,
      deadline: s.deadline,
      polling: s.polling,
    },
  ];
  return {
    scheduleId: upcomingPayrollsScheduleId(s.companyId),
    spec: {
      calendars: [
        {
          hour: s.hour,
          minute: s.minute,
          dayOfWeek: s.daysOfWeek as DayOfWeek[],
          comment: `payroll scan ${s.lookAheadDays} days ahead`,
        },
      ],
      timezone: s.timeZone,
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'upcomingPayrollsWorkflow',
      taskQueue: deps.taskQueue,
      // Temporal appends the firing time, so each firing is its own short run.
      workflowId: upcomingPayrollsId(s.companyId),
      args,
      typedSearchAttributes: [{ key: CompanyId, value: s.companyId }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: s.catchupWindowMinutes * 60_000 },
    state: { paused: s.paused, note: s.note },
    memo: { companyId: s.companyId, lookAheadDays: s.lookAheadDays },
  };
}

function scheduleHandle(deps: ScheduleServiceDeps, companyId: string): ScheduleHandle {
  return deps.temporal.schedule.getHandle(upcomingPayrollsScheduleId(companyId));
}

async function act(
  deps: ScheduleServiceDeps,
  companyId: string,
  fn: (h: ScheduleHandle) => Promise<void>,
): Promise<PayrollScheduleSummary> {
  const handle = scheduleHandle(deps, companyId);
  await call(() => fn(handle));
  return describeAfterWrite(handle);
}

const DESCRIBE_ATTEMPTS = 5;
const DESCRIBE_SPACING_MS = 500;

/**
 * The Schedule as it stands after a write that succeeded. Temporal answers a describe from the
 * Schedule's own workflow, which may still be applying the write (or starting its next run) and,
 * on a busy server, fail the read for a moment: the caller would see an error for a change that
 * took effect. A few spaced reads ride that out; a Schedule that is gone is not retried.
 */
async function describeAfterWrite(handle: ScheduleHandle): Promise<PayrollScheduleSummary> {
  for (let attempt = 1; ; attempt++) {
    try {
      return summarise(await call(() => handle.describe()));
    } catch (err) {
      if (attempt >= DESCRIBE_ATTEMPTS || (err as ServiceError).code === 'not_found') throw err;
      await new Promise((resolve) => setTimeout(resolve, DESCRIBE_SPACING_MS));
    }
  }
}

const WEEK = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;

/** Temporal hands calendars back as ranges (MONDAY-FRIDAY); people read a list of days. */
function expand<T>(
  ranges: Array<{ start: T; end: T; step: number }>,
  order: (v: T) => number,
  back: (i: number) => T,
) {
  return ranges.flatMap(({ start, end, step }) => {
    const out: T[] = [];
    for (let i = order(start); i <= order(end); i += Math.max(1, step)) out.push(back(i));
    return out;
  });
}

function summarise(d: ScheduleDescription): PayrollScheduleSummary {
  const memo = (d.memo ?? {}) as { companyId?: string; lookAheadDays?: number };
  const calendar = d.spec.calendars?.[0];
  const args = (d.action.type === 'startWorkflow' ? d.action.args?.[0] : undefined) as
    UpcomingPayrollsInput | undefined;
  const num = (ranges?: Array<{ start: number; end: number; step: number }>) =>
    ranges
      ? expand(
          ranges,
          (v) => v,
          (i) => i,
        )
      : [];
  return {
    scheduleId: d.scheduleId,
    companyId: memo.companyId ?? d.scheduleId.replace(/^payroll-schedule:/, ''),
    paused: d.state.paused,
    note: d.state.note,
    timeZone: d.spec.timezone,
    hour: num(calendar?.hour)[0],
    minute: num(calendar?.minute)[0],
    daysOfWeek: calendar
      ? expand(
          calendar.dayOfWeek,
          (v) => WEEK.indexOf(v),
          (i) => WEEK[i]!,
        )
      : undefined,
    lookAheadDays: memo.lookAheadDays,
    review: args?.review,
    deadlinePolicy: args?.deadline?.policy,
    nextFirings: d.info.nextActionTimes.map((t) => t.toISOString()),
    recentFirings: d.info.recentActions.map((a) => ({
      scheduledAt: a.scheduledAt.toISOString(),
      workflowId: a.action.type === 'startWorkflow' ? a.action.workflow.workflowId : '',
    })),
  };
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'ScheduleNotFoundError')
      throw new ServiceError('not_found', 'this company has no payroll schedule');
    if (name === 'ScheduleAlreadyRunning')
      throw new ServiceError('conflict', 'this company already has a payroll schedule');
    throw toServiceError(err);
  }
}
