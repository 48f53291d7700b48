/**
 * `payroll off-cycle start|status` and blockers in `payroll status`, in-process through runCli (what
 * bin/payroll.js calls) against the dev server, a sandbox and a real worker.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import { runCli } from '../../client/cli/program.js';
import { checkHealth } from '../../client/http/health.js';
import { isBusinessDay } from '../../domain/business-days.js';
import { addDays } from '../../sim/calendar.js';
import {
  devServerWorld,
  startWorker,
  uniqueTaskQueue,
  type BackgroundWorker,
  type SandboxWorld,
} from '../harness/index.js';
import { HARNESS_ENV } from '../harness/shared.js';

let world: SandboxWorld;
let worker: BackgroundWorker | undefined;
let cliEnv: NodeJS.ProcessEnv;
const company = (key: string) => world.sandbox.companies.find((c) => c.key === key)!;

beforeAll(async () => {
  world = await devServerWorld({ calculateLatencyMs: 200, submitLatencyMs: 200 });
  const taskQueue = uniqueTaskQueue('cli-off-cycle');
  worker = startWorker(world.env, { taskQueue, sandbox: world.sandbox });
  for (let i = 0; i < 100 && (await checkHealth(world.env.client, taskQueue)).status !== 'ok'; i++) {
    await new Promise((r) => setTimeout(r, 200));
  }
  cliEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: process.env[HARNESS_ENV.address] ?? world.env.connection.options.address,
    TEMPORAL_NAMESPACE: world.env.namespace ?? 'default',
    TASK_QUEUE: taskQueue,
    GUSTO_BASE_URL: world.sandbox.url,
  };
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await world?.close();
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    args,
    { out: (s) => void (stdout += s), err: (s) => void (stderr += s), isTty: false },
    cliEnv,
  );
  return { code, stdout, stderr };
}

describe('payroll off-cycle', () => {
  const today = new Date().toISOString().slice(0, 10);
  let checkDate = addDays(today, 7);
  while (!isBusinessDay(checkDate)) checkDate = addDays(checkDate, 1);
  let saturday = addDays(today, 7);
  while (new Date(`${saturday}T12:00:00Z`).getUTCDay() !== 6) saturday = addDays(saturday, 1);
  const args = (key: string, date = checkDate) => [
    'off-cycle',
    'start',
    '--company',
    company('phoenix-az').uuid,
    '--key',
    key,
    '--reason',
    'Bonus',
    '--from',
    addDays(today, -14),
    '--to',
    today,
    '--check-date',
    date,
    '--employees',
    company('phoenix-az').employees[0]!.uuid,
    '--bonus',
    '750.00',
  ];

  it('starts a bonus payroll and shows it with status', async () => {
    const res = await cli(args('cli-bonus'));
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^started off-cycle-payroll:[0-9a-f-]+:cli-bonus\n/);
    expect(res.stdout).toMatch(/reason\s+Bonus/);
    const status = await eventually(
      async () => {
        const s = await cli([
          'off-cycle',
          'status',
          '--company',
          company('phoenix-az').uuid,
          '--key',
          'cli-bonus',
        ]);
        return /run stage\s+processed/.test(s.stdout) ? s : undefined;
      },
      40_000,
      'the bonus payroll processed',
    );
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/gross pay\s+750\.00/);
    expect(world.sandbox.counters().off_cycle_payrolls_per_company[company('phoenix-az').uuid]).toBe(1);
  }, 60_000);

  it('exits 2 naming the flag and the rule for a check date on a weekend, and starts nothing', async () => {
    const res = await cli(args('cli-weekend', saturday));
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe(
      'error: --check-date (checkDate): must be a bank business day (not a weekend or a Federal Reserve holiday)',
    );
    const status = await cli([
      'off-cycle',
      'status',
      '--company',
      company('phoenix-az').uuid,
      '--key',
      'cli-weekend',
    ]);
    expect(status.code).toBe(4);
  }, 30_000);
});

describe('payroll status of a blocked run', () => {
  it("shows Gusto's blockers in plain words", async () => {
    const co = company('blocked-bank-tx');
    const started = await cli(['run', '--company', co.uuid, '--json']);
    expect(started.code).toBe(0);
    const { payrollId } = JSON.parse(started.stdout) as { payrollId: string };
    const status = await eventually(
      async () => {
        const s = await cli(['status', '--company', co.uuid, '--payroll', payrollId]);
        return /stage\s+blocked/.test(s.stdout) ? s : undefined;
      },
      40_000,
      'the run blocked',
    );
    expect(status.stdout).toMatch(
      /blocked\s+Company bank account must be verified in order to run payroll\. \(missing_bank_verification\)/,
    );
    await cli(['cancel', '--company', co.uuid, '--payroll', payrollId]);
  }, 60_000);
});
