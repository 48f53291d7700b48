/**
 * `payroll events subscribe|list|rotate-secret|delete` in-process through runCli, on the embedded
 * default's store (DATA_DIR): no Temporal needed to manage subscriptions. Sending and deliveries go
 * through the same functions as the HTTP API, tested in test/events and test/http.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../client/cli/program.js';

const dir = mkdtempSync(join(tmpdir(), 'payroll-cli-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    { out: (s) => void (out += s), err: (s) => void (err += s), isTty: false },
    { DATA_DIR: dir, PATH: process.env.PATH },
  );
  return { code, out, err };
}

describe('payroll events', () => {
  it('subscribes (secret shown once), lists without secrets, rotates and deletes', async () => {
    const url = 'http://127.0.0.1:8070/events';
    const sub = await cli(
      'events',
      'subscribe',
      '--url',
      url,
      '--types',
      'payroll_run.processed,test.ping',
      '--json',
    );
    expect(sub.code).toBe(0);
    const created = JSON.parse(sub.out) as { id: string; secret: string };
    expect(created.secret).toMatch(/^whsec_/);

    const listed = await cli('events', 'list');
    expect(listed.out).toContain(
      `${created.id}  ${url}  types payroll_run.processed,test.ping  every company`,
    );
    expect(listed.out).not.toContain('whsec_');

    const rotated = await cli('events', 'rotate-secret', '--id', created.id);
    expect(rotated.out).toMatch(/^secret: whsec_/);
    expect(rotated.out).not.toContain(created.secret);

    expect((await cli('events', 'delete', '--id', created.id)).out).toBe(`deleted ${created.id}\n`);
    expect((await cli('events', 'list')).out).toBe('no subscriptions\n');
  });

  it('bad input names the flag and the rule, and stores nothing', async () => {
    const insecure = await cli('events', 'subscribe', '--url', 'http://example.test/hook');
    expect(insecure.code).toBe(2);
    expect(insecure.err).toMatch(/--url.*https/);
    const badType = await cli(
      'events',
      'subscribe',
      '--url',
      'https://example.test/hook',
      '--types',
      'payroll_run.exploded',
    );
    expect(badType.code).toBe(2);
    expect(badType.err).toMatch(/--types/);
    const unknown = await cli('events', 'delete', '--id', 'sub_00000000-0000-4000-8000-000000000000');
    expect(unknown.code).toBe(4);
    expect((await cli('events', 'list')).out).toBe('no subscriptions\n');
  });
});
