/**
 * `payroll contractor-pay start --wait` through bin/payroll.js against the dev server, a sandbox and
 * a real worker: stages stream live as `payroll run --wait` does, a manual approval prints the amount
 * and the command that approves it, and the funded payment's receipt figures are printed (and shown by
 * `status --json` in integer cents).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../client/cli/program.js';
import { checkHealth } from '../../client/http/health.js';
import { calendarDate } from '../../domain/dates.js';
import { gustoEventSignal } from '../../workflows/waiting.js';
import { weekdayAfter } from '../contractor-payments/helpers.js';
import {
  devServerWorld,
  startWorker,
  uniqueTaskQueue,
  type BackgroundWorker,
  type SandboxWorld,
} from '../harness/index.js';
import { HARNESS_ENV, REPO_ROOT } from '../harness/shared.js';

let world: SandboxWorld;
let worker: BackgroundWorker | undefined;
let cliEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  world = await devServerWorld();
  const taskQueue = uniqueTaskQueue('cli-cp');
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

/** bin/payroll.js as a user runs it, with its output readable while it runs. */
function spawnCli(args: string[]) {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/payroll.js'), ...args], {
    cwd: REPO_ROOT,
    env: cliEnv,
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  const waitFor = async (pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> => {
    for (const until = Date.now() + timeoutMs; Date.now() < until;) {
      const m = pattern.exec(out.stdout);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no ${pattern} in: ${out.stdout}${out.stderr}`);
  };
  return { out, exited, waitFor, kill: () => child.kill() };
}

async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { out: (s: string) => void (stdout += s), err: (s: string) => void (stderr += s), isTty: false };
  const code = await runCli(args, io, cliEnv);
  return { code, stdout, stderr };
}

describe('contractor-pay start --wait', () => {
  it('streams stages, prints the approve command with the amount, then the outcome and the receipt', async () => {
    const co = world.sandbox.companies.find((c) => c.key === 'mid-ny')!;
    const contractor = co.contractors.find((c) => c.key === 'hourly-dd')!;
    const date = weekdayAfter(calendarDate(await world.sandbox.now(), co.time_zone), 10);
    const cli = spawnCli([
      'contractor-pay',
      'start',
      '--company',
      co.uuid,
      '--contractor',
      contractor.uuid,
      '--date',
      date,
      '--hours',
      '2',
      '--approval',
      'manual',
      '--key',
      `cli-wait-${Date.now()}`,
      '--wait',
    ]);
    try {
      const [, workflowId, key] = await cli.waitFor(/^started (\S+) \(key (\S+)\)$/m);
      const [hint, command] = await cli.waitFor(/awaiting approval of 170\.00.*approve with: (payroll .+)$/m);
      expect(hint).toContain(`--company ${co.uuid} --key ${key} --amount 170.00`);
      // The printed command, as a person would paste it (without the leading `payroll`).
      const approved = await inProcess(command!.split(' ').slice(1));
      expect(approved).toMatchObject({ code: 0, stdout: 'approved\n' });
      await cli.waitFor(/^\s+\+\d+\.\ds\s+awaiting_funding\s/m);
      // Funded ahead of the debit date (Gusto's demo action); the ingress would signal the event.
      const state = JSON.parse(
        (await inProcess(['contractor-pay', 'status', '--company', co.uuid, '--key', key!, '--json'])).stdout,
      );
      await world.gusto.contractorPayments.fund(co.uuid, state.paymentId);
      await world.env.client.workflow.getHandle(workflowId!).signal(gustoEventSignal, {
        event_type: 'contractor_payment.funded',
        entity_type: 'ContractorPayment',
        entity_uuid: state.paymentId,
      });
      expect(await cli.exited).toBe(0);
      expect(cli.out.stderr).toBe('');
      const stages = cli.out.stdout
        .split('\n')
        .filter((l) => /^\s+\+\d+\.\ds\s/.test(l))
        .map((l) => l.trim().split(/\s+/)[1]);
      expect(stages).toEqual(
        expect.arrayContaining(['validating', 'awaiting_approval', 'awaiting_funding', 'funded']),
      );
      expect(cli.out.stdout).toMatch(/outcome: funded/);
      expect(cli.out.stdout).toMatch(
        /receipt \S+\n\s+contractor\s+\S+\n\s+debit date\s+\S+\n\s+company debit\s+170\.00/,
      );

      const status = JSON.parse(
        (await inProcess(['contractor-pay', 'status', '--company', co.uuid, '--key', key!, '--json'])).stdout,
      );
      expect(status).toMatchObject({
        stage: 'funded',
        receipt: { paymentId: state.paymentId, companyDebitCents: 17000, wageCents: 17000 },
      });
    } finally {
      cli.kill();
    }
  }, 90_000);

  it('contractor-group --wait prints the group approve command, then completes a group of checks', async () => {
    const co = world.sandbox.companies.find((c) => c.key === 'mid-ny')!;
    const checkDate = weekdayAfter(calendarDate(await world.sandbox.now(), co.time_zone), 3);
    const lines = [
      {
        contractorId: co.contractors.find((c) => c.key === 'fixed-check')!.uuid,
        paymentMethod: 'Check',
        wage: '40.00',
      },
    ];
    const cli = spawnCli([
      'contractor-group',
      'start',
      '--company',
      co.uuid,
      '--check-date',
      checkDate,
      '--payments',
      JSON.stringify(lines),
      '--approval',
      'manual',
      '--key',
      `cli-group-${Date.now()}`,
      '--wait',
    ]);
    try {
      const [, command] = await cli.waitFor(
        /awaiting approval of 40\.00.*approve with: (payroll contractor-group approve .+)$/m,
      );
      expect(await inProcess(command!.split(' ').slice(1))).toMatchObject({ code: 0 });
      expect(await cli.exited).toBe(0);
      expect(cli.out.stdout).toMatch(/^\s+\+\d+\.\ds\s+completed\s/m);
      expect(cli.out.stdout).toMatch(/outcome: completed/);
    } finally {
      cli.kill();
    }
  }, 90_000);
});
