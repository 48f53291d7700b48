/**
 * The `payroll` CLI against the dev server, a sandbox and a real worker. `run --wait` goes through
 * bin/payroll.js in a child process (the real entry point, exit code included); help and input errors
 * run in-process through runCli, which is what the binary calls.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../client/cli/program.js';
import { checkHealth } from '../../client/http/health.js';
import {
  devServerWorld,
  startWorker,
  uniqueTaskQueue,
  type BackgroundWorker,
  type SandboxWorld,
} from '../harness/index.js';
import { HARNESS_ENV, REPO_ROOT } from '../harness/shared.js';

let world: SandboxWorld;
let taskQueue: string;
let worker: BackgroundWorker | undefined;
let cliEnv: NodeJS.ProcessEnv;
const company = (key: string) => world.sandbox.companies.find((c) => c.key === key)!;

beforeAll(async () => {
  // The world's Gusto client also loads the client modules before the worker needs them.
  world = await devServerWorld({ calculateLatencyMs: 400, submitLatencyMs: 400 });
  taskQueue = uniqueTaskQueue('cli');
  worker = startWorker(world.env, { taskQueue, sandbox: world.sandbox });
  // The binary starts work on the task queue at once: wait until the worker polls it.
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

/** Runs bin/payroll.js as a user would. */
function payroll(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/payroll.js'), ...args], {
    cwd: REPO_ROOT,
    env: cliEnv,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr })),
  );
}

/** Runs the CLI in-process (same code the binary runs), capturing its output. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    args,
    { out: (s) => void (stdout += s), err: (s) => void (stderr += s), isTty: false },
    cliEnv,
  );
  return { code, stdout, stderr };
}

describe('payroll run --wait', () => {
  let payrollId: string;
  let runOutput: string;

  it('prints each stage live with elapsed time and Gusto calls, then the receipt, and exits 0', async () => {
    const res = await payroll(['run', '--company', company('small-ca').uuid, '--wait', '--timeout', '60']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^started payroll:[0-9a-f-]+:([0-9a-f-]+)$/);
    payrollId = /:([0-9a-f-]+)$/.exec(lines[0]!)![1]!;
    runOutput = res.stdout;
    const stages = lines.filter((l) => /^\s+\+\d+\.\ds\s/.test(l)).map((l) => l.trim().split(/\s+/)[1]);
    // Fast stages can fall between two polls, but the order is always the process's order.
    const order = ['finding', 'preparing', 'calculating', 'submitting', 'processing', 'processed'];
    expect(stages.at(-1)).toBe('processed');
    expect(stages.map((s) => order.indexOf(s!))).toEqual(
      [...stages.map((s) => order.indexOf(s!))].sort((a, b) => a - b),
    );
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(res.stdout).toMatch(/gusto calls: \d+/);
    expect(res.stdout).toMatch(/receipt\n\s+company debit\s+\d+\.\d{2}\n/);
    expect(res.stdout).toMatch(/net pay\s+\d+\.\d{2}/);
  }, 90_000);

  it('reports the same run again with status --json', async () => {
    const res = await payroll([
      'status',
      '--company',
      company('small-ca').uuid,
      '--payroll',
      payrollId,
      '--json',
    ]);
    expect(res.code).toBe(0);
    const state = JSON.parse(res.stdout);
    expect(state).toMatchObject({ payrollId, stage: 'processed' });
    // Two different figures, each under its own name: net pay of everyone (small-ca pays one employee
    // by check) and the Direct Deposit debit Gusto's receipt calls net_pay_debit.
    expect(state.receipt.netPay).toBeUndefined();
    expect(state.receipt.netPayDebit).toMatch(/^\d+\.\d{2}$/);
    expect(Number(state.receipt.netPayDebit)).toBeLessThan(Number(state.totals.net_pay));
    expect(runOutput).toMatch(new RegExp(`\\n\\s+net pay\\s+${state.totals.net_pay}\\n`));
    expect(runOutput).toMatch(new RegExp(`\\n\\s+net pay debit\\s+${state.receipt.netPayDebit}\\n`));
  }, 30_000);

  it('saves a pay stub of the processed run with pay-stub', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'pay-stub-')), 'stub.pdf');
    const employee = company('small-ca').employees[0]!.uuid;
    const res = await inProcess([
      'pay-stub',
      '--company',
      company('small-ca').uuid,
      '--payroll',
      payrollId,
      '--employee',
      employee,
      '--out',
      out,
    ]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^wrote .*stub\.pdf \(\d+ bytes\)/);
    expect((await readFile(out)).subarray(0, 5).toString()).toBe('%PDF-');
  }, 30_000);

  it('exits 2 with one line naming the field for bad input', async () => {
    const res = await payroll(['run', '--company', 'acme']);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toEqual(['error: --company: must be a UUID, got "acme"']);
  }, 30_000);
});

describe('a run waiting on a person', () => {
  const c = () => company('denver-co').uuid;
  let payrollId: string;

  it('edit replaces hours from an @file; run --wait --timeout exits 7 and prints the approve command', async () => {
    const started = await inProcess(['run', '--company', c(), '--review', 'manual', '--json']);
    expect(started.code).toBe(0);
    payrollId = JSON.parse(started.stdout).payrollId;
    const ref = ['--company', c(), '--payroll', payrollId];
    for (let i = 0; i < 150; i++) {
      const s = await inProcess(['status', ...ref, '--json']);
      if (JSON.parse(s.stdout).stage === 'awaiting_review') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const hourly = company('denver-co').employees.find((e) => !e.salaried)!;
    const file = join(await mkdtemp(join(tmpdir(), 'edits-')), 'edits.json');
    await writeFile(
      file,
      JSON.stringify([{ employeeId: hourly.uuid, hours: { 'Regular Hours': '41.000' } }]),
    );
    const edited = await inProcess(['edit', ...ref, '--edits', `@${file}`, '--json']);
    expect(edited.stderr).toBe('');
    expect(edited.code).toBe(0);
    expect(JSON.parse(edited.stdout).edits).toEqual([
      { employeeId: hourly.uuid, hours: { 'Regular Hours': '41.000' } },
    ]);

    const missing = await inProcess(['edit', ...ref, '--edits', '@/nonexistent/edits.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: --edits: cannot read/);

    const waited = await payroll(['run', ...ref, '--wait', '--timeout', '8']);
    expect(waited.code).toBe(7);
    expect(waited.stderr).toMatch(
      new RegExp(
        `^error: still awaiting_review after 8 s \\(the run carries on\\): awaiting review; approve with: ` +
          `payroll approve --company ${c()} --payroll ${payrollId} --company-debit \\d+\\.\\d{2} --net-pay \\d+\\.\\d{2} --gross-pay \\d+\\.\\d{2}\\n$`,
      ),
    );
  }, 120_000);

  it('a rejected run is not handed back (exit 8 naming --restart); run --restart pays it', async () => {
    const ref = ['--company', c(), '--payroll', payrollId];
    expect((await inProcess(['reject', ...ref, '--reason', 'too many hours'])).code).toBe(0);
    let again = await inProcess(['run', '--company', c()]);
    for (let i = 0; i < 50 && again.code !== 8; i++) {
      // The run closes a moment after the rejection is accepted.
      await new Promise((r) => setTimeout(r, 200));
      again = await inProcess(['run', '--company', c()]);
    }
    expect(again.code).toBe(8);
    expect(again.stderr).toContain(`ended rejected (too many hours) without submitting; nothing was paid`);
    expect(again.stderr).toContain(`payroll run --company ${c()} --payroll ${payrollId} --restart`);

    const restarted = await payroll([...['run', ...ref], '--restart', '--wait', '--timeout', '90']);
    expect(restarted.stderr).toBe('');
    expect(restarted.code).toBe(0);
    expect(restarted.stdout).toMatch(new RegExp(`^restarted payroll:${c()}:${payrollId}\\n`));
    expect(restarted.stdout).toMatch(/\+\d+\.\ds\s+processed/);
    expect(world.sandbox.counters().submits_per_payroll[payrollId]).toBe(1);
  }, 150_000);
});

describe('payroll schedule', () => {
  it('create refuses a company Gusto does not know; show prints hour, days and review policy', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const refused = await inProcess(['schedule', 'create', '--company', unknown, '--time-zone', 'UTC']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^error: --company \(companyId\): no Gusto access token for company 0{8}-/,
    );
    expect((await inProcess(['schedule', 'show', '--company', unknown])).code).toBe(4);

    const c = company('honolulu-hi').uuid;
    const created = await inProcess([
      ...['schedule', 'create', '--company', c, '--time-zone', 'Pacific/Honolulu'],
      ...['--hour', '7', '--minute', '30', '--days', 'MONDAY,WEDNESDAY,THURSDAY,FRIDAY'],
      ...['--look-ahead', '5', '--review', 'auto', '--paused'],
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    try {
      const shown = await inProcess(['schedule', 'show', '--company', c]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/^scans at +07:30$/m);
      expect(shown.stdout).toMatch(/^days +MONDAY, WEDNESDAY, THURSDAY, FRIDAY$/m);
      expect(shown.stdout).toMatch(/^review +auto$/m);
      expect(shown.stdout).toMatch(/^time zone +Pacific\/Honolulu$/m);
    } finally {
      await inProcess(['schedule', 'delete', '--company', c]);
    }
  }, 60_000);
});

describe('errors and exit codes', () => {
  const c = () => company('mid-ny').uuid;
  const unknown = '00000000-0000-4000-8000-000000000000';

  it.each([
    ['a missing required option', ['approve', '--company', unknown, '--payroll', unknown], /--company-debit/],
    [
      'an amount that is not money',
      [
        'approve',
        '--company',
        unknown,
        '--payroll',
        unknown,
        '--company-debit',
        'lots',
        '--net-pay',
        '1.00',
        '--gross-pay',
        '1.00',
      ],
      /--company-debit \(totals\.company_debit\)/,
    ],
    ['an unknown stage', ['list', '--company', unknown, '--stage', 'asleep'], /--stage \(stage\)/],
    [
      'a bad date',
      ['contractor', 'dismiss', '--company', unknown, '--contractor', unknown, '--date', '2026-02-30'],
      /--date \(end_date\)/,
    ],
    ['a bad choice', ['run', '--company', unknown, '--review', 'sometimes'], /--review/],
    ['an unknown command', ['pay-everyone'], /unknown command/],
    [
      'a payments file that does not exist',
      [
        'contractor-group',
        'start',
        '--company',
        unknown,
        '--check-date',
        '2026-12-01',
        '--payments',
        '@/nonexistent/payments.json',
      ],
      /^error: --payments: cannot read "\/nonexistent\/payments\.json": no such file$/,
    ],
    [
      'payments that are not JSON',
      [
        'contractor-group',
        'start',
        '--company',
        unknown,
        '--check-date',
        '2026-12-01',
        '--payments',
        '[oops',
      ],
      /--payments/,
    ],
  ])('exits 2 on %s, naming it in one line', async (_name, args, pattern) => {
    const res = await inProcess(args as string[]);
    expect(res.code).toBe(2);
    const lines = res.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('(run with --help'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  });

  it('exits 4 for an unknown run, with the error as JSON under --json', async () => {
    const res = await inProcess(['status', '--company', c(), '--payroll', unknown, '--json']);
    expect(res.code).toBe(4);
    expect(JSON.parse(res.stdout).error.code).toBe('not_found');
  });

  it('exits 5 when an operation is refused, with the reason', async () => {
    const res = await inProcess([
      'contractor',
      'delete',
      '--company',
      c(),
      '--contractor',
      company('mid-ny').contractors.find((k) => k.has_payments)!.uuid,
    ]);
    expect(res.code).toBe(5);
    expect(res.stderr).toMatch(/^error: .*pa(id|yment)/i);
  }, 30_000);
});

describe('--help', () => {
  const commands = [
    [],
    ['run'],
    ['status'],
    ['approve'],
    ['reject'],
    ['edit'],
    ['pay-stub'],
    ['retry'],
    ['cancel'],
    ['list'],
    ['schedule'],
    ...['create', 'show', 'pause', 'unpause', 'trigger', 'delete'].map((s) => ['schedule', s]),
    ['contractor-pay'],
    ...['start', 'status', 'approve', 'cancel', 'list'].map((s) => ['contractor-pay', s]),
    ['contractor-group'],
    ...['start', 'status', 'approve', 'cancel'].map((s) => ['contractor-group', s]),
    ['contractor'],
    ...['dismiss', 'rehire', 'status', 'cancel', 'deactivate', 'delete'].map((s) => ['contractor', s]),
  ];
  it.each(commands.map((c) => [c.join(' ') || '(root)', c]))('works on %s', async (_name, args) => {
    const res = await inProcess([...(args as string[]), '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Usage: payroll/);
  });
});
