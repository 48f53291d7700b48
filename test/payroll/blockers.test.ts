/**
 * Payroll blockers (time-skipping): a run checks Gusto's blockers before preparing anything, waits in
 * `blocked` with Gusto's keys and messages in its state, goes on once they are cleared, and owes the
 * deadline warning and decision while it waits.
 */
import { describe, expect, it } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import {
  getPayrollRunState,
  retryPayrollRun,
  startPayrollRun,
  waitForPayrollRun,
  type PayrollRunResult,
  type PayrollServiceDeps,
} from '../../client/payroll.js';
import {
  admin,
  callsBetween,
  companyByKey,
  DAY,
  exportRunHistory,
  HOUR,
  payrollWhere,
  timeSkippingPayrollTests,
} from './helpers.js';

const PREPARE = 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/prepare';

describe('payroll blockers (time-skipping)', () => {
  const world = timeSkippingPayrollTests('payroll-blockers');
  const { withWorker } = world;

  const blocked = (deps: PayrollServiceDeps, ref: object) =>
    eventually(async () => {
      const s = await getPayrollRunState(deps, ref);
      return s.stage === 'blocked' ? s : undefined;
    });

  it('waits in blocked with Gusto’s reasons, then runs once the blocker is cleared', async () => {
    const company = companyByKey(world.sandbox, 'blocked-bank-tx');
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(world.gusto, company.uuid, (d) => d.getTime() > now + 3 * DAY);
    const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
    const before = world.sandbox.counters();
    await withWorker(async (deps) => {
      await startPayrollRun(deps, ref);
      const state = await blocked(deps, ref);
      expect(state.blockers?.items).toEqual([
        {
          key: 'missing_bank_verification',
          message: 'Company bank account must be verified in order to run payroll.',
        },
      ]);
      // A retry while still blocked looks again and stays blocked; nothing was prepared.
      await retryPayrollRun(deps, ref);
      expect((await getPayrollRunState(deps, ref)).stage).toBe('blocked');
      expect(callsBetween(before, world.sandbox.counters())[PREPARE]).toBeUndefined();

      await admin(
        world.sandbox,
        'DELETE',
        `/sandbox/companies/${company.uuid}/blockers/missing_bank_verification`,
      );
      // Nobody says so: the backoff's next look finds the company unblocked.
      const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(result.outcome).toBe('complete');
      expect(result.state.blockers).toBeUndefined();
      expect(result.state.stageTimes.blocked).toBeDefined();
      expect(Date.parse(result.state.stageTimes.preparing!)).toBeGreaterThan(
        Date.parse(result.state.stageTimes.blocked!),
      );
      expect(result.state.warnings).toEqual([]);
      await exportRunHistory(
        deps.temporal,
        `payroll:${ref.companyId}:${ref.payrollId}`,
        'blocked-then-cleared',
      );
    });
    expect(world.sandbox.counters().submits_per_payroll[payroll.payroll_uuid]).toBe(1);
  });

  it('a company webhook makes a blocked run look again at once', async () => {
    const company = companyByKey(world.sandbox, 'denver-co');
    await admin(world.sandbox, 'PUT', `/sandbox/companies/${company.uuid}/blockers/needs_approval`);
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(world.gusto, company.uuid, (d) => d.getTime() > now + 3 * DAY);
    const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
    await withWorker(async (deps) => {
      await startPayrollRun(deps, ref);
      await blocked(deps, ref);
      const handle = deps.temporal.workflow.getHandle(`payroll:${ref.companyId}:${ref.payrollId}`);
      // An event that is not about the company's setup or the payroll wakes nothing.
      await handle.signal('gustoEvent', { event_type: 'contractor.updated', entity_type: 'Contractor' });
      await admin(world.sandbox, 'DELETE', `/sandbox/companies/${company.uuid}/blockers/needs_approval`);
      // Queries do not skip time: only the webhook can end the wait before the next backoff look.
      await handle.signal('gustoEvent', {
        event_type: 'company.updated',
        entity_type: 'Company',
        entity_uuid: company.uuid,
      });
      const moved = await eventually(async () => {
        const s = await getPayrollRunState(deps, ref);
        return s.stage !== 'blocked' ? s : undefined;
      });
      expect(moved.blockers).toBeUndefined();
      expect(moved.webhookEvents).toBe(2);
      expect(((await waitForPayrollRun(deps, ref)) as PayrollRunResult).outcome).toBe('complete');
    });
  });

  it('a run blocked through the deadline is warned, then stopped under stop_and_report', async () => {
    const company = companyByKey(world.sandbox, 'blocked-onboarding-wa');
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(world.gusto, company.uuid, (d) => d.getTime() > now + 2 * DAY);
    const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
    const before = world.sandbox.counters();
    await withWorker(async (deps) => {
      await startPayrollRun(deps, {
        ...ref,
        deadline: { policy: 'stop_and_report', warningLeadMinutes: 120 },
      });
      expect((await blocked(deps, ref)).blockers?.items.map((b) => b.key)).toEqual([
        'needs_onboarding',
        'missing_federal_tax_setup',
      ]);
      const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(result.outcome).toBe('stopped');
      expect(result.state.review.decision).toBe('stopped_at_deadline');
      expect(result.state.warnings).toEqual([
        expect.objectContaining({
          kind: 'deadline_approaching',
          message: expect.stringContaining('blocked by Gusto (needs_onboarding: Company must complete'),
        }),
        expect.objectContaining({ kind: 'stopped_at_deadline' }),
      ]);
      const warnedAt = Date.parse(result.state.warnings[0]!.at);
      expect(warnedAt).toBeGreaterThanOrEqual(payroll.deadline.getTime() - 2 * HOUR);
      expect(warnedAt).toBeLessThan(payroll.deadline.getTime());
      expect(Date.parse(result.state.stageTimes.stopped!)).toBeGreaterThanOrEqual(payroll.deadline.getTime());
      // Still showing why it never ran.
      expect(result.state.blockers?.items).toHaveLength(2);
    });
    expect(callsBetween(before, world.sandbox.counters())[PREPARE]).toBeUndefined();
    expect(world.sandbox.counters().submits_per_payroll[payroll.payroll_uuid]).toBeUndefined();
  });

  it('under submit_late a blocked run warns that the deadline passed and runs once unblocked', async () => {
    const company = companyByKey(world.sandbox, 'phoenix-az');
    await admin(world.sandbox, 'PUT', `/sandbox/companies/${company.uuid}/blockers/suspended`);
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(world.gusto, company.uuid, (d) => d.getTime() > now + 2 * DAY);
    const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
    await withWorker(async (deps) => {
      await startPayrollRun(deps, { ...ref, deadline: { policy: 'submit_late', warningLeadMinutes: 120 } });
      await blocked(deps, ref);
      await world.env.sleep(payroll.deadline.getTime() - (await world.env.currentTimeMs()) + HOUR);
      const late = await getPayrollRunState(deps, ref);
      expect(late.stage).toBe('blocked');
      expect(late.warnings.map((w) => w.kind)).toEqual(['deadline_approaching', 'deadline_passed']);
      await admin(world.sandbox, 'DELETE', `/sandbox/companies/${company.uuid}/blockers/suspended`);
      await retryPayrollRun(deps, ref);
      const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(result.outcome).toBe('complete');
    });
    expect(world.sandbox.counters().submits_per_payroll[payroll.payroll_uuid]).toBe(1);
  });
});
