import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { CredentialSummary } from '../../../gusto/credentials.js';
import { SealKeyError } from '../../../gusto/seal.js';
import { ServiceError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { action, type FlagMap, type Printable } from '../output.js';
import { checkUuids } from '../validate.js';

const FLAGS: FlagMap = { companyId: '--company', refreshToken: '--refresh-token-file' };

/**
 * `payroll credentials load|list|revoke`: onboarding and rotation of companies' Gusto OAuth
 * credentials in the store every worker shares (PAYROLL_DATABASE_URL, else DATA_DIR). A token is
 * read from a file or stdin, never from argv (which `ps` and shell history show), and never printed.
 */
export function credentialsCommand(ctx: CliContext): Command {
  const cmd = new Command('credentials').description(
    "Load, list and revoke companies' Gusto OAuth credentials (shared by every worker)",
  );

  cmd
    .command('load')
    .description("Store a company's refresh token (onboarding, or after needs_credentials)")
    .requiredOption('--company <uuid>', 'company id')
    .requiredOption('--refresh-token-file <file>', 'file holding the refresh token; "-" reads stdin')
    .action(
      action<{ company: string; refreshTokenFile: string }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--company': o.company });
        const refreshToken = await readToken(ctx, o.refreshTokenFile);
        const stores = await ctx.stores();
        await sealed(() =>
          stores.credentials.update(o.company, async () => ({
            state: 'active',
            secret: { refreshToken },
            rotated: true,
            loaded: true,
          })),
        );
        return {
          value: { companyId: o.company, state: 'active' },
          human: [`credentials loaded for company ${o.company} (state active; used on the next Gusto call)`],
        };
      }),
    );

  cmd
    .command('list')
    .description('Companies with stored credentials: state and token age (no secrets)')
    .action(
      action<object>(ctx, FLAGS, async () => {
        const stores = await ctx.stores();
        return listing(await sealed(() => stores.credentials.list()));
      }),
    );

  cmd
    .command('revoke')
    .description(
      "Forget a company's stored tokens: no worker refreshes for it until credentials are loaded again",
    )
    .requiredOption('--company <uuid>', 'company id')
    .action(
      action<{ company: string }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--company': o.company });
        const stores = await ctx.stores();
        let found = false;
        await stores.credentials.update(o.company, async (current) => {
          found = current !== undefined;
          return found ? { state: 'revoked', secret: undefined, reason: 'revoked by an operator' } : null;
        });
        if (!found) throw new ServiceError('not_found', `no stored credentials for company ${o.company}`);
        return {
          value: { companyId: o.company, state: 'revoked' },
          human: [`credentials revoked for company ${o.company}`],
        };
      }),
    );
  return cmd;
}

async function readToken(ctx: CliContext, file: string): Promise<string> {
  let text: string;
  try {
    if (file === '-' && !ctx.io.readStdin) throw new Error('stdin is not available here');
    text = file === '-' ? await ctx.io.readStdin!() : await readFile(file, 'utf8');
  } catch (err) {
    throw new ServiceError(
      'invalid_input',
      `--refresh-token-file: cannot read ${file}: ${(err as Error).message}`,
    );
  }
  const token = text.trim();
  if (!/^\S{8,}$/.test(token))
    throw new ServiceError(
      'invalid_input',
      '--refresh-token-file: must hold one refresh token (8+ characters, no spaces)',
    );
  return token;
}

/** Key problems are the operator's to fix: bad input with the variable's name, not an upstream failure. */
async function sealed<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SealKeyError) throw new ServiceError('invalid_input', err.message);
    throw err;
  }
}

function listing(rows: CredentialSummary[]): Printable {
  const now = Date.now();
  const value = rows.map((r) => ({
    companyId: r.companyId,
    state: r.state,
    tokenAgeSeconds: Math.round((now - r.rotatedAt.getTime()) / 1000),
    rotatedAt: r.rotatedAt.toISOString(),
    loadedAt: r.loadedAt.toISOString(),
    keyId: r.keyId ?? null,
    reason: r.reason ?? null,
  }));
  if (rows.length === 0) return { value, human: ['no stored credentials'] };
  const human = [
    ['company', 'state', 'token age', 'loaded at', 'note'].join('\t'),
    ...value.map((r) =>
      [r.companyId, r.state, age(r.tokenAgeSeconds), r.loadedAt, r.reason ?? ''].join('\t'),
    ),
  ];
  return { value, human };
}

function age(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}
