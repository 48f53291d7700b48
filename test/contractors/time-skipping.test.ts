/**
 * Contractor dismissal, rehire, deactivate-now and delete against the sandbox on the time-skipping
 * server. The sandbox clock is the environment's time, so Gusto's effective dates and the workflows'
 * timers move together: a month passes in well under a second.
 */
import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eventually } from '../harness/eventually.js';
import {
  cancelTransition,
  deactivateContractorNow,
  deleteContractor,
  getTransitionState,
  startDismissal,
  startRehire,
  waitForTransition,
  type ContractorServiceDeps,
} from '../../client/contractors.js';
import type { GustoClient } from '../../gusto/client.js';
import { contractorDismissalWorkflow } from '../../workflows/contractor-transition.js';
import { addDays, startOfDate } from '../../domain/dates.js';
import {
  contractorDeactivationId,
  contractorDeletionId,
  contractorDismissalId,
  contractorRehireId,
} from '../../workflows/ids.js';
import { runWorker, timeSkippingWorld, uniqueTaskQueue, type Sandbox } from '../harness/index.js';
import {
  COMPANY_ZONE,
  fixtures,
  maybeExportHistory,
  sandboxAdmin,
  todayIn,
  transitionFields,
  writes,
  type Fixtures,
} from './helpers.js';

const TERMINATION = 'POST /v1/contractors/{contractor_uuid}/termination';
const CANCEL_TERMINATION = 'DELETE /v1/contractors/{contractor_uuid}/termination';
const UPDATE = 'PUT /v1/contractors/{contractor_uuid}';

interface Ctx {
  env: TestWorkflowEnvironment;
  sandbox: Sandbox;
  gusto: GustoClient;
  fx: Fixtures;
  deps: ContractorServiceDeps;
  today: string;
}

/**
 * One test's world: its own time-skipping server (time is global to a server, so runs left over by
 * another test would move it), a fresh sandbox whose clock is that server's time, and a worker.
 * The client functions get a plain client: time moves only when the test says so (`passTime`), never
 * behind the test's back while a call happens to wait for a result.
 */
async function withWorld<T>(fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  const { env, sandbox, gusto, close } = await timeSkippingWorld();
  try {
    const fx = await fixtures(sandbox, gusto);
    const taskQueue = uniqueTaskQueue('contractors');
    const temporal = new Client({ connection: env.connection, namespace: env.namespace });
    const deps = { temporal, taskQueue };
    const today = await todayIn(sandbox);
    return await runWorker(env, { taskQueue, sandbox }, () => fn({ env, sandbox, gusto, fx, deps, today }));
  } finally {
    await close();
  }
}

/** Skips time to `instant` plus `extraMs` (timers fire on the way, the sandbox clock follows). */
async function passTimeUntil(
  env: TestWorkflowEnvironment,
  instant: Date | string,
  extraMs = 0,
): Promise<void> {
  const ms = new Date(instant).getTime() + extraMs - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

const DAY = 86_400_000;

const fields = (ctx: Ctx, contractorId: string) =>
  transitionFields(ctx.gusto, ctx.fx.companyId, contractorId);

describe('contractor dismissal (time-skipping, sandbox)', () => {
  it('completes on its date, 30 days out, with the contractor inactive', async () => {
    await withWorld(async (ctx) => {
      const { companyId, dana } = ctx.fx;
      const end_date = addDays(ctx.today, 30);
      const started = await startDismissal(ctx.deps, { companyId, contractorId: dana.uuid, end_date });
      expect(started).toMatchObject({
        stage: 'waiting_for_date',
        timeZone: COMPANY_ZONE,
        timeZoneSource: 'company',
      });
      // The contractor works through end_date; Gusto shows them inactive from midnight after it.
      const effectiveAt = startOfDate(addDays(end_date, 1), COMPANY_ZONE);
      expect(started.effectiveAt).toBe(effectiveAt.toISOString());
      expect(started.gusto).toMatchObject({ is_active: true, dismissal_date: end_date });

      // A second start finds the running one and sends nothing.
      const again = await startDismissal(ctx.deps, { companyId, contractorId: dana.uuid, end_date });
      expect(again.scheduledAt).toBe(started.scheduledAt);
      await expect(
        startDismissal(ctx.deps, { companyId, contractorId: dana.uuid, end_date: addDays(end_date, 1) }),
      ).rejects.toMatchObject({ code: 'conflict' });

      await passTimeUntil(ctx.env, effectiveAt, 60_000);
      const done = await waitForTransition(ctx.deps, { kind: 'dismissal', contractorId: dana.uuid });
      expect(done).toMatchObject({ stage: 'completed', outcome: 'completed', pastDated: false });
      expect(done.gusto).toMatchObject({ is_active: false, dismissal_date: end_date });
      const lateBy = Date.parse(done.finishedAt!) - effectiveAt.getTime();
      expect(lateBy).toBeGreaterThanOrEqual(0);
      expect(lateBy).toBeLessThan(60_000);
      expect(await fields(ctx, dana.uuid)).toMatchObject({ is_active: false, dismissal_date: end_date });
      expect(ctx.sandbox.counters().terminations_per_contractor[dana.uuid]).toBe(1);
      expect(done.gustoCalls[TERMINATION]).toBe(1);
      await maybeExportHistory(
        ctx.deps.temporal,
        contractorDismissalId(dana.uuid),
        'contractor-dismissal-completed',
      );
    });
  });

  it('schedules exactly once when Gusto applied the POST but the response was lost', async () => {
    await withWorld(async (ctx) => {
      const { companyId, dana } = ctx.fx;
      await sandboxAdmin(ctx.sandbox, 'PUT', '/sandbox/faults', {
        rules: [{ endpoint: TERMINATION, drop_response: true, times: 1 }],
      });
      const end_date = addDays(ctx.today, 30);
      const started = await startDismissal(ctx.deps, { companyId, contractorId: dana.uuid, end_date });
      expect(started).toMatchObject({ stage: 'waiting_for_date', gusto: { dismissal_date: end_date } });
      expect(started.notes.join(' ')).toContain('first attempt applied');
      expect(ctx.sandbox.counters().terminations_per_contractor[dana.uuid]).toBe(1);
      await cancelTransition(ctx.deps, { kind: 'dismissal', contractorId: dana.uuid });
    });
  });

  it('cancelled on day 10 leaves the contractor active with nothing scheduled', async () => {
    await withWorld(async (ctx) => {
      const { companyId, dana } = ctx.fx;
      const end_date = addDays(ctx.today, 30);
      await startDismissal(ctx.deps, { companyId, contractorId: dana.uuid, end_date });
      await ctx.env.sleep(10 * DAY);

      const ref = { kind: 'dismissal', contractorId: dana.uuid } as const;
      const cancelled = await cancelTransition(ctx.deps, { ...ref, reason: 'kept on after all' });
      expect(cancelled).toMatchObject({ outcome: 'cancelled', cancelReason: 'kept on after all' });
      const final = await waitForTransition(ctx.deps, ref);
      expect(final).toMatchObject({ stage: 'cancelled', outcome: 'cancelled' });
      expect(await fields(ctx, dana.uuid)).toMatchObject({
        is_active: true,
        dismissal_date: null,
        upcoming_employment: null,
      });
      expect(ctx.sandbox.counters().calls[CANCEL_TERMINATION]).toBe(1);
      await maybeExportHistory(
        ctx.deps.temporal,
        contractorDismissalId(dana.uuid),
        'contractor-dismissal-cancelled',
      );

      // The run is over: a second cancel is refused and sends nothing.
      await expect(cancelTransition(ctx.deps, ref)).rejects.toMatchObject({ code: 'refused' });
      expect(ctx.sandbox.counters().calls[CANCEL_TERMINATION]).toBe(1);
    });
  });

  it('is refused while a rehire is scheduled, and goes ahead with the cancel policy', async () => {
    await withWorld(async (ctx) => {
      const { companyId, lena } = ctx.fx;
      const rehireOn = addDays(ctx.today, 20);
      await startRehire(ctx.deps, { companyId, contractorId: lena.uuid, start_date: rehireOn });
      const before = { writes: writes(ctx.sandbox), lena: await fields(ctx, lena.uuid) };

      const dismissal = { companyId, contractorId: lena.uuid, end_date: addDays(ctx.today, 40) };
      await expect(startDismissal(ctx.deps, dismissal)).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringContaining(`a rehire on ${rehireOn}`),
      });
      expect(writes(ctx.sandbox)).toEqual(before.writes);
      expect(await fields(ctx, lena.uuid)).toEqual(before.lena);

      const resolved = await startDismissal(ctx.deps, { ...dismissal, policy: 'cancel_conflicting' });
      expect(resolved).toMatchObject({
        outcome: 'completed',
        cancelledConflicts: [`a rehire on ${rehireOn}`],
      });
      expect(await fields(ctx, lena.uuid)).toMatchObject({ is_active: false, upcoming_employment: null });
      // The rehire run was nudged, re-read Gusto and ended instead of waiting for its date.
      const rehire = await waitForTransition(ctx.deps, { kind: 'rehire', contractorId: lena.uuid });
      expect(rehire.outcome).toBe('cancelled_in_gusto');
      expect(ctx.sandbox.counters().terminations_per_contractor[lena.uuid]).toBeUndefined();
      await maybeExportHistory(
        ctx.deps.temporal,
        contractorDismissalId(lena.uuid),
        'contractor-dismissal-cancel-conflicting',
      );
      await maybeExportHistory(
        ctx.deps.temporal,
        contractorRehireId(lena.uuid),
        'contractor-rehire-cancelled-in-gusto',
      );
    });
  });

  it('moves a dismissal scheduled for another date only under the cancel policy', async () => {
    await withWorld(async (ctx) => {
      const { companyId, gabriel } = ctx.fx;
      await ctx.gusto.contractors.scheduleTermination(companyId, gabriel.uuid, {
        endDate: addDays(ctx.today, 50),
      });
      const input = { companyId, contractorId: gabriel.uuid, end_date: addDays(ctx.today, 20) };
      await expect(startDismissal(ctx.deps, input)).rejects.toMatchObject({ code: 'refused' });

      const moved = await startDismissal(ctx.deps, { ...input, policy: 'cancel_conflicting' });
      expect(moved).toMatchObject({
        stage: 'waiting_for_date',
        cancelledConflicts: [`a dismissal on ${addDays(ctx.today, 50)}`],
      });
      expect(await fields(ctx, gabriel.uuid)).toMatchObject({
        is_active: true,
        dismissal_date: input.end_date,
      });
      await cancelTransition(ctx.deps, { kind: 'dismissal', contractorId: gabriel.uuid });
    });
  });

  it('puts back the cancelled conflict when Gusto then refuses ours (cancel policy)', async () => {
    await withWorld(async (ctx) => {
      const { companyId, gabriel } = ctx.fx;
      const theirs = addDays(ctx.today, 50);
      await ctx.gusto.contractors.scheduleTermination(companyId, gabriel.uuid, { endDate: theirs });
      await sandboxAdmin(ctx.sandbox, 'PUT', '/sandbox/faults', {
        rules: [{ endpoint: TERMINATION, status: 422, times: 1 }],
      });
      const input = { companyId, contractorId: gabriel.uuid, end_date: addDays(ctx.today, 20) };
      await expect(
        startDismissal(ctx.deps, { ...input, policy: 'cancel_conflicting' }),
      ).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringContaining(
          `cancelled a dismissal on ${theirs} first; restored a dismissal on ${theirs}`,
        ),
      });
      expect(await fields(ctx, gabriel.uuid)).toMatchObject({ is_active: true, dismissal_date: theirs });
    });
  });

  it('past-dated: cancellable inside the 2-day grace period, refused after it', async () => {
    await withWorld(async (ctx) => {
      const { companyId, dana, gabriel } = ctx.fx;
      const ref = { kind: 'dismissal', contractorId: dana.uuid } as const;
      await startDismissal(ctx.deps, {
        companyId,
        contractorId: dana.uuid,
        end_date: addDays(ctx.today, -3),
      });
      await waitForStage(ctx.deps, ref, 'grace_period');
      expect(await fields(ctx, dana.uuid)).toMatchObject({ is_active: false });
      await expect(cancelTransition(ctx.deps, ref)).resolves.toMatchObject({ outcome: 'cancelled' });
      expect(await fields(ctx, dana.uuid)).toMatchObject({ is_active: true, dismissal_date: null });
      await waitForTransition(ctx.deps, ref);
      await maybeExportHistory(
        ctx.deps.temporal,
        contractorDismissalId(dana.uuid),
        'contractor-dismissal-past-dated-cancelled',
      );

      const late = { kind: 'dismissal', contractorId: gabriel.uuid } as const;
      await startDismissal(ctx.deps, {
        companyId,
        contractorId: gabriel.uuid,
        end_date: addDays(ctx.today, -3),
      });
      await waitForStage(ctx.deps, late, 'grace_period');
      await ctx.env.sleep(2 * DAY);
      const before = writes(ctx.sandbox);
      await expect(cancelTransition(ctx.deps, late)).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringContaining('grace period'),
      });
      expect(writes(ctx.sandbox)).toEqual(before);
    });
  });
});

describe('contractor rehire (time-skipping, sandbox)', () => {
  it('completes on its date with the contractor active again', async () => {
    await withWorld(async (ctx) => {
      const { companyId, lena } = ctx.fx;
      const start_date = addDays(ctx.today, 14);
      const started = await startRehire(ctx.deps, { companyId, contractorId: lena.uuid, start_date });
      expect(started).toMatchObject({
        stage: 'waiting_for_date',
        gusto: { upcoming_employment: { start_date } },
      });
      expect(started.effectiveAt).toBe(startOfDate(start_date, COMPANY_ZONE).toISOString());

      await passTimeUntil(ctx.env, started.effectiveAt!, 60_000);
      const done = await waitForTransition(ctx.deps, { kind: 'rehire', contractorId: lena.uuid });
      expect(done).toMatchObject({ outcome: 'completed', gusto: { is_active: true } });
      expect(await fields(ctx, lena.uuid)).toMatchObject({
        is_active: true,
        start_date,
        upcoming_employment: null,
      });
      expect(ctx.sandbox.counters().rehires_per_contractor[lena.uuid]).toBe(1);
      await maybeExportHistory(
        ctx.deps.temporal,
        contractorRehireId(lena.uuid),
        'contractor-rehire-completed',
      );
    });
  });
});

describe('immediate actions (time-skipping, sandbox)', () => {
  it('deactivate-now recovers from a stale version', async () => {
    await withWorld(async (ctx) => {
      const { companyId, tomas } = ctx.fx;
      // Hold the workflow's PUT for a moment and change the contractor meanwhile: its version goes stale.
      await sandboxAdmin(ctx.sandbox, 'PUT', '/sandbox/faults', {
        rules: [{ endpoint: UPDATE, latency_ms: 1500, times: 1 }],
      });
      const deactivation = deactivateContractorNow(ctx.deps, { companyId, contractorId: tomas.uuid });
      await eventually(() => (ctx.sandbox.counters().calls[UPDATE] ?? 0) >= 1);
      const current = await ctx.gusto.contractors.get(companyId, tomas.uuid);
      await ctx.gusto.contractors.update(companyId, tomas.uuid, {
        version: current.version,
        email: 'tomas@example.com',
      });

      const result = await deactivation;
      expect(result).toMatchObject({ alreadyInactive: false, attempts: 2, contractor: { is_active: false } });
      const after = await ctx.gusto.contractors.get(companyId, tomas.uuid);
      expect(after).toMatchObject({ is_active: false, email: 'tomas@example.com' });
      expect(ctx.sandbox.counters().calls[UPDATE]).toBe(3);
      await maybeExportHistory(
        ctx.deps.temporal,
        contractorDeactivationId(tomas.uuid),
        'contractor-deactivation-stale-version',
      );
    });
  });

  it('deactivate-now surfaces a scheduled dismissal as a conflict', async () => {
    await withWorld(async (ctx) => {
      const { companyId, dana } = ctx.fx;
      await startDismissal(ctx.deps, {
        companyId,
        contractorId: dana.uuid,
        end_date: addDays(ctx.today, 30),
      });
      await expect(
        deactivateContractorNow(ctx.deps, { companyId, contractorId: dana.uuid }),
      ).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringContaining('dismissal'),
      });
      expect(await fields(ctx, dana.uuid)).toMatchObject({ is_active: true });
    });
  });

  it('delete of a paid contractor is refused and changes nothing; an unpaid one is deleted', async () => {
    await withWorld(async (ctx) => {
      const { companyId, dana, priya } = ctx.fx;
      const before = { writes: writes(ctx.sandbox), dana: await fields(ctx, dana.uuid) };
      await expect(deleteContractor(ctx.deps, { companyId, contractorId: dana.uuid })).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringContaining('dismiss the contractor instead'),
      });
      expect(writes(ctx.sandbox)).toEqual(before.writes);
      expect(await fields(ctx, dana.uuid)).toEqual(before.dana);
      expect(await runStatus(ctx, contractorDeletionId(dana.uuid))).toBe('COMPLETED');
      await maybeExportHistory(
        ctx.deps.temporal,
        contractorDeletionId(dana.uuid),
        'contractor-deletion-refused-paid',
      );

      await expect(
        deleteContractor(ctx.deps, { companyId, contractorId: priya.uuid }),
      ).resolves.toMatchObject({
        deleted: true,
      });
      await expect(ctx.gusto.contractors.get(companyId, priya.uuid)).rejects.toMatchObject({ status: 404 });
    });
  });
});

describe('bad input is refused with the field or rule, and changes nothing', () => {
  /** Runs `attempt`, expects the error, and checks that no write reached Gusto. */
  async function refusedWithoutWrites(
    ctx: Ctx,
    attempt: () => Promise<unknown>,
    expected: object,
  ): Promise<void> {
    const before = writes(ctx.sandbox);
    await expect(attempt()).rejects.toMatchObject(expected);
    expect(writes(ctx.sandbox)).toEqual(before);
  }

  it('unknown contractor, malformed date, end date before the start date, rehire of an active contractor', async () => {
    await withWorld(async (ctx) => {
      const { companyId, dana } = ctx.fx;
      const stranger = randomUUID();
      await refusedWithoutWrites(
        ctx,
        () =>
          startDismissal(ctx.deps, {
            companyId,
            contractorId: stranger,
            end_date: addDays(ctx.today, 5),
          }),
        { code: 'not_found', field: 'contractorId' },
      );
      // Refused runs end cleanly with the reason; Failed is kept for what an operator must look at.
      expect(await runStatus(ctx, contractorDismissalId(stranger))).toBe('COMPLETED');
      await refusedWithoutWrites(
        ctx,
        () => startDismissal(ctx.deps, { companyId, contractorId: dana.uuid, end_date: '2026-02-30' }),
        { code: 'invalid_input', field: 'end_date' },
      );
      await refusedWithoutWrites(
        ctx,
        () =>
          startDismissal(ctx.deps, {
            companyId,
            contractorId: dana.uuid,
            end_date: addDays(dana.start_date!, -1),
          }),
        { code: 'invalid_input', field: 'end_date', message: expect.stringContaining('start_date') },
      );
      await refusedWithoutWrites(
        ctx,
        () =>
          startRehire(ctx.deps, { companyId, contractorId: dana.uuid, start_date: addDays(ctx.today, 7) }),
        { code: 'refused', message: expect.stringContaining('rehire of an active contractor') },
      );
      expect(await runStatus(ctx, contractorRehireId(dana.uuid))).toBe('COMPLETED');
      // The workflow checks its input too, for callers that start it without the client.
      const before = writes(ctx.sandbox);
      await expect(
        ctx.deps.temporal.workflow.execute(contractorDismissalWorkflow, {
          taskQueue: ctx.deps.taskQueue,
          workflowId: `bad-date-${randomUUID()}`,
          args: [{ companyId, contractorId: dana.uuid, end_date: '31/12/2026' }],
        }),
      ).resolves.toMatchObject({
        stage: 'refused',
        outcome: 'refused',
        lastError: { type: 'InvalidInput', message: expect.stringMatching(/^end_date: /) },
      });
      expect(writes(ctx.sandbox)).toEqual(before);
    });
  });

  it('a date further back than the 2-day grace is refused and changes nothing', async () => {
    await withWorld(async (ctx) => {
      const { companyId, dana } = ctx.fx;
      await refusedWithoutWrites(
        ctx,
        () =>
          startDismissal(ctx.deps, { companyId, contractorId: dana.uuid, end_date: addDays(ctx.today, -34) }),
        {
          code: 'invalid_input',
          field: 'end_date',
          message: expect.stringContaining(
            `at most 2 days in the past (Gusto's grace for past-dated changes): the earliest is ${addDays(ctx.today, -3)}`,
          ),
        },
      );
      expect(await fields(ctx, dana.uuid)).toMatchObject({ is_active: true, dismissal_date: null });
      expect(await runStatus(ctx, contractorDismissalId(dana.uuid))).toBe('COMPLETED');
      await maybeExportHistory(
        ctx.deps.temporal,
        contractorDismissalId(dana.uuid),
        'contractor-dismissal-refused-past-date',
      );
      // The earliest date itself is accepted (it takes effect 2 days ago, in the grace period).
      await expect(
        startDismissal(ctx.deps, { companyId, contractorId: dana.uuid, end_date: addDays(ctx.today, -3) }),
      ).resolves.toMatchObject({ pastDated: true });
    });
  });

  it('cancel after the date is refused with the reason', async () => {
    await withWorld(async (ctx) => {
      const { companyId, dana } = ctx.fx;
      const ref = { kind: 'dismissal', contractorId: dana.uuid } as const;
      const started = await startDismissal(ctx.deps, {
        companyId,
        contractorId: dana.uuid,
        end_date: addDays(ctx.today, 3),
      });
      await passTimeUntil(ctx.env, started.effectiveAt!, 60_000);
      await waitForTransition(ctx.deps, ref);
      await refusedWithoutWrites(ctx, () => cancelTransition(ctx.deps, ref), {
        code: 'refused',
        message: expect.stringContaining('could only be cancelled until'),
      });
      expect(await fields(ctx, dana.uuid)).toMatchObject({ is_active: false });
    });
  });
});

async function runStatus(ctx: Ctx, workflowId: string): Promise<string> {
  return (await ctx.deps.temporal.workflow.getHandle(workflowId).describe()).status.name;
}

async function waitForStage(
  deps: ContractorServiceDeps,
  ref: { kind: 'dismissal' | 'rehire'; contractorId: string },
  stage: string,
): Promise<void> {
  await eventually(async () => (await getTransitionState(deps, ref)).stage === stage);
}
