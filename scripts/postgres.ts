/**
 * PostgreSQL from Debian's packages, run by the project itself: `npm run cluster` keeps its data in a
 * persistent directory, tests use a throwaway one. There is no Docker here, so this is the one way
 * the project gets a PostgreSQL server. `.ci/run` installs the package when it is missing.
 *
 * initdb and postgres refuse to run as root; as root the commands run as the `postgres` user the
 * Debian package creates, and the data directory is handed to that user.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { startWatchdog } from './child-process.js';

export interface PostgresOptions {
  /** Data directory; created and initialised when it holds no cluster yet. */
  dataDir: string;
  port: number;
  /** Superuser created by initdb; TCP logins need its password (scram-sha-256). */
  user?: string;
  password: string;
  /** Tests: skip fsync in initdb and the server. Data may be lost on a machine crash. */
  throwaway?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  port: number;
  user: string;
  password: string;
  /** postgres://user:password@127.0.0.1:port/<database> */
  url(database?: string): string;
  /** Stops the server (fast shutdown: open sessions are ended, data is flushed). */
  stop(): Promise<void>;
}

const INSTALL_HINT = 'install PostgreSQL (apt-get install postgresql) or set PG_BIN_DIR to its bin folder';

/** PG_BIN_DIR, else the newest /usr/lib/postgresql/<major>/bin, else the folder of `initdb` on PATH. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PG_BIN_DIR) return requireBin(env.PG_BIN_DIR);
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length > 0) return join(root, majors[0]!, 'bin');
  for (const dir of (env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error(`PostgreSQL not found: ${INSTALL_HINT}`);
}

function requireBin(dir: string): string {
  if (!existsSync(join(dir, 'initdb'))) throw new Error(`PG_BIN_DIR=${dir} has no initdb: ${INSTALL_HINT}`);
  return dir;
}

/** Initialises the cluster when `dataDir` holds none, then starts it on 127.0.0.1:`port`. */
export async function startPostgres(opts: PostgresOptions): Promise<RunningPostgres> {
  const bin = postgresBinDir(opts.env);
  const user = opts.user ?? 'postgres';
  const log = opts.log ?? (() => {});
  const asRoot = userInfo().uid === 0;
  const run = (tool: string, args: string[]): void => runAs(asRoot, join(bin, tool), args);
  if (!existsSync(join(opts.dataDir, 'PG_VERSION'))) {
    log(`postgres: initdb ${opts.dataDir}`);
    initCluster(opts, user, asRoot, run);
  }
  // The socket lives in the data directory: /var/run/postgresql may not exist or be writable.
  const child = spawnAs(asRoot, join(bin, 'postgres'), [
    '-D',
    opts.dataDir,
    '-p',
    String(opts.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${opts.dataDir}`,
    '-c',
    'max_connections=200',
    ...(opts.throwaway
      ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
      : []),
  ]);
  // SIGINT is PostgreSQL's "fast" shutdown: sessions end, data is flushed.
  const watchdog = startWatchdog(child.pid!, 'SIGINT');
  const output: string[] = [];
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const exitedAtStart = () => new Error(`postgres exited at start:\n${output.join('').trim()}`);
  try {
    await Promise.race([
      waitUntilAccepting(join(bin, 'pg_isready'), opts.port, 30_000, running),
      exited.then(() => {
        throw exitedAtStart();
      }),
    ]);
    // Whoever answered, it was not our server if ours is gone (another one holds the port).
    if (!running()) throw exitedAtStart();
  } catch (err) {
    child.kill('SIGKILL');
    watchdog.kill();
    throw err;
  }
  log(`postgres: listening on 127.0.0.1:${opts.port}`);
  return {
    port: opts.port,
    user,
    password: opts.password,
    url: (database = 'postgres') =>
      `postgres://${encodeURIComponent(user)}:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/${database}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT'); // "fast" shutdown
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      watchdog.kill();
    },
  };
}

/**
 * Resolves once the server accepts sessions, or as soon as it is no longer `running` (the caller
 * reports that). An open port is not enough: while it replays its WAL after a start, PostgreSQL
 * listens but refuses every login with "the database system is starting up" (57P03), and a client
 * that came in that moment failed (a CI flake). pg_isready asks the server itself and needs no
 * password: exit 0 is "accepting", 1 "rejecting", 2 "no response", 3 a bad call. It gets an empty
 * environment, so a PGSSLMODE or PGSERVICE of the caller's cannot send it elsewhere.
 */
async function waitUntilAccepting(
  pgIsReady: string,
  port: number,
  timeoutMs: number,
  running: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const check = (): Promise<number | string> =>
    new Promise((resolve) =>
      execFile(pgIsReady, ['-q', '-h', '127.0.0.1', '-p', String(port), '-t', '2'], { env: {} }, (err) =>
        resolve(err ? ((err as { code?: number | string }).code ?? 'error') : 0),
      ),
    );
  let last: number | string = 'not asked';
  while (running() && Date.now() < deadline) {
    last = await check();
    if (last === 0) return;
    if (last !== 1 && last !== 2) throw new Error(`${pgIsReady} failed (${last}): ${INSTALL_HINT}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (running()) {
    throw new Error(
      `postgres on 127.0.0.1:${port} did not accept sessions within ${timeoutMs} ms (pg_isready: ${last})`,
    );
  }
}

/** As root, the parent of `dataDir` must be traversable by the postgres user (e.g. mode 0755). */
function initCluster(
  { dataDir, password, throwaway }: PostgresOptions,
  user: string,
  asRoot: boolean,
  run: (tool: string, args: string[]) => void,
): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // The password reaches initdb through a file readable by the server's user only, never argv.
  const pwfile = join(dataDir, '..', `.pgpass-init-${process.pid}`);
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dataDir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  try {
    run('initdb', [
      '-D',
      dataDir,
      '-U',
      user,
      `--pwfile=${pwfile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
      '--encoding=UTF8',
      '--no-instructions',
      ...(throwaway ? ['--no-sync'] : []),
    ]);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

function postgresUser(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  if (!Number.isInteger(uid)) throw new Error(`running as root needs the 'postgres' user: ${INSTALL_HINT}`);
  return { uid, gid };
}

function runAs(asRoot: boolean, command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(asRoot ? postgresUser() : {}) });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`${command} failed: ${e.stderr?.toString().trim() || e.message}`);
  }
}

function spawnAs(asRoot: boolean, command: string, args: string[]): ChildProcess {
  // Switching uid in spawn (not runuser/su) keeps the PID we signal the postmaster's own. Its own
  // process group: a terminal's Ctrl-C reaches only us, and we stop the server after its clients.
  return spawn(command, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
    ...(asRoot ? postgresUser() : {}),
  });
}
