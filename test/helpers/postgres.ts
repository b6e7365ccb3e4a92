import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

/**
 * A throwaway PostgreSQL cluster for tests: `initdb` in a temp dir, `postgres` as a child
 * process on a free 127.0.0.1 port with trust auth for user `mig`, removed by `stop()`.
 * PostgreSQL refuses to run as root, so as root the binaries run as the existing unprivileged
 * `postgres` (or `nobody`) account through runuser; no account is ever created.
 */
export interface TestPostgres {
  /** `postgres://mig@127.0.0.1:PORT/postgres`: the maintenance database. */
  adminUrl: string;
  /** Creates a fresh database and gives its URL (one per test keeps tests apart). */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Why PostgreSQL cannot be used here, or undefined when it can be tried. */
export function postgresUnavailableReason(): string | undefined {
  if (findBinDir() === undefined)
    return 'PostgreSQL is not installed (no initdb on PATH nor in /usr/lib/postgresql/*/bin; Debian package `postgresql`)';
  if (isRoot() && runAsUser() === undefined)
    return 'running as root and no unprivileged `postgres` or `nobody` account exists to run PostgreSQL as';
  return undefined;
}

/** Starts a cluster; throws with PostgreSQL's own output when it cannot. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const binDir = findBinDir();
  if (binDir === undefined) throw new Error(postgresUnavailableReason());
  const user = isRoot() ? runAsUser() : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'mig-pg-'));
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const dataDir = join(dir, 'data');
  const init = spawnSync(
    ...command(user, join(binDir, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'mig',
      '--auth=trust',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]),
    { encoding: 'utf8', cwd: dir },
  );
  if (init.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status ?? init.signal}): ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  const [cmd, args] = command(user, join(binDir, 'postgres'), [
    '-D',
    dataDir,
    '-k',
    dir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'max_connections=200',
  ]);
  // cwd: a directory the unprivileged user can enter, whatever the test's own cwd allows.
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const adminUrl = `postgres://mig@127.0.0.1:${port}/postgres`;
  try {
    await waitReady(adminUrl, child, () => output);
  } catch (err) {
    await stopCluster(child, dataDir);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    adminUrl,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
        throw new Error(`database name ${JSON.stringify(name)}: expected [a-z_][a-z0-9_]*`);
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://mig@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      await stopCluster(child, dataDir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function findBinDir(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim() !== '') return join(onPath.stdout.trim(), '..');
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** An existing unprivileged account to run PostgreSQL as (never created here). */
function runAsUser(): { name: string; uid: number; gid: number } | undefined {
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0)
      return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  return undefined;
}

function command(user: { name: string } | undefined, bin: string, args: string[]): [string, string[]] {
  return user === undefined ? [bin, args] : ['runuser', ['-u', user.name, '--', bin, ...args]];
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}: ${output()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline)
        throw new Error(`postgres did not accept connections within 20 s: ${(err as Error).message}\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Fast shutdown, signalled to the postmaster itself (its pid is in postmaster.pid): runuser
 * would wait seconds before passing a signal on.
 */
async function stopCluster(child: ChildProcess, dataDir: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').then(
    (t) => Number(t.split('\n')[0]),
    () => undefined,
  );
  if (pid !== undefined && Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT');
  else child.kill('SIGINT');
  await exited;
}
