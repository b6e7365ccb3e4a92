// `npm run soak -- [--agents 1000] [--minutes 10] [--launch-every-s 15] [--churn-percent 1] [--max-growth-mb 64]`
//
// The soak: a server in this process (as the fan-out bench runs it), N simulated agents in two
// child processes (scripts/soak-agents.ts over bench/fanout-sim-agent.ts), connecting and
// dropping at random for D minutes while actions are launched every few seconds. Every 10 s it
// prints the server's RSS, agents online and the actions' states. At the end the churn stops,
// the last actions run out their validity, and it checks:
//   - RSS flat: the median of the last quarter's samples is at most --max-growth-mb (and 25 %)
//     above the median of the first quarter's (after the fleet connected);
//   - no stuck action: every action is completed, expired or cancelled once its expireAfter
//     (plus a grace) has passed.
// Exits 1 when either fails, 2 on a usage error.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { aliceClient, launch } from '../bench/fanout-api.js';
import { startServer } from '../broker/server.js';
import { signedAction } from '../test/helpers/actions.js';
import { armoredPublicKey } from '../test/helpers/keys.js';

const Args = z.strictObject({
  agents: z.coerce.number().int().min(2).max(20_000).default(1000),
  minutes: z.coerce
    .number()
    .min(0.5)
    .max(24 * 60)
    .default(10),
  'launch-every-s': z.coerce.number().min(1).max(3600).default(15),
  'churn-percent': z.coerce.number().min(0).max(100).default(1).describe('share of the fleet dropped per second'),
  'max-growth-mb': z.coerce.number().min(1).max(100_000).default(64),
  'action-ttl-s': z.coerce.number().int().min(10).max(3600).default(60),
  seed: z.coerce.number().int().default(12),
});
type Args = z.infer<typeof Args>;

/** Statuses an action ends in; anything else after its validity is stuck. */
const TERMINAL_ACTION_STATUSES: ReadonlySet<string> = new Set(['completed', 'expired', 'cancelled', 'invalid']);
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SAMPLE_MS = 10_000;
/** After an action's expireAfter, the server has this long to close it before it counts as stuck. */
const EXPIRY_GRACE_MS = 30_000;

function parseArgs(argv: readonly string[]): Args {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? '';
    if (!flag.startsWith('--')) usage(`unexpected argument ${JSON.stringify(flag)}`);
    raw[flag.slice(2)] = argv[i + 1] ?? '';
  }
  const parsed = Args.safeParse(raw);
  if (!parsed.success)
    usage(
      parsed.error.issues
        .map((i) => `--${i.path.join('.')} ${JSON.stringify(raw[String(i.path[0])] ?? '')}: ${i.message}`)
        .join('; '),
    );
  return parsed.data;
}

function usage(problem: string): never {
  process.stderr.write(
    `soak: ${problem}\nusage: npm run soak -- [--agents N] [--minutes D] [--launch-every-s S] [--churn-percent P] [--max-growth-mb M] [--action-ttl-s T] [--seed K]\n`,
  );
  process.exit(2);
}

/** One child process of simulated agents, spoken to one JSON line at a time. */
class Child {
  private readonly waiting = new Map<
    string,
    { resolve: (m: Record<string, unknown>) => void; reject: (err: Error) => void }
  >();
  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (message.type === 'failed') {
        const err = new Error(`soak agents: ${String(message.message)}`);
        for (const waiter of this.waiting.values()) waiter.reject(err);
        this.waiting.clear();
        return;
      }
      const waiter = this.waiting.get(String(message.type));
      this.waiting.delete(String(message.type));
      waiter?.resolve(message);
    });
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`  [agents] ${chunk.toString().slice(0, 300)}`));
  }

  static start(specPath: string): Child {
    return new Child(
      spawn(
        process.execPath,
        ['--max-old-space-size=4096', '--import', 'tsx', join(REPO_ROOT, 'scripts/soak-agents.ts'), specPath],
        { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
      ),
    );
  }

  ask(word: string, want: string): Promise<Record<string, unknown>> {
    const answer = new Promise<Record<string, unknown>>((resolve, reject) =>
      this.waiting.set(want, { resolve, reject }),
    );
    if (word !== '') this.child.stdin?.write(`${word}\n`);
    return answer;
  }

  stop(): Promise<unknown> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin?.end('stop\n');
    return exited;
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const mb = (bytes: number): number => Math.round(bytes / 1e6);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'mig-soak-'));
  const children: Child[] = [];
  const server = await startServer({
    dataDir: join(dir, 'server'),
    httpPort: 0,
    mqttPort: 0,
    bootstrapAdmin: { name: 'alice', publicKey: armoredPublicKey('alice') },
    autoAccept: true,
    enrollRate: { burst: 100_000, perSecond: 100_000 },
    maxPendingEnrollments: 100_000,
  });
  let exitCode = 0;
  try {
    const client = await aliceClient(server.httpUrl);
    const agentJson = JSON.parse(readFileSync(server.agentConfigPath, 'utf8')) as Record<string, unknown>;
    const config = { ...agentJson, heartbeatMs: 30_000 };
    for (let c = 0; c < 2; c++) {
      const count = Math.floor(args.agents / 2) + (c < args.agents % 2 ? 1 : 0);
      const specPath = join(dir, `soak-${c}.json`);
      writeFileSync(
        specPath,
        JSON.stringify({
          count,
          prefix: `soak-c${c}`,
          config,
          churnPercentPerSecond: args['churn-percent'],
          maxDownMs: 10_000,
          seed: args.seed + c,
        }),
        { mode: 0o600 },
      );
      children.push(Child.start(specPath));
    }
    await Promise.all(children.map((c) => c.ask('', 'loaded')));
    const connectStart = performance.now();
    await Promise.all(children.map((c) => c.ask('start', 'ready')));
    console.log(
      `soak: ${args.agents} agents enrolled and connected in ${((performance.now() - connectStart) / 1000).toFixed(1)} s; churn ${args['churn-percent']} %/s for ${args.minutes} min, an action every ${args['launch-every-s']} s (valid ${args['action-ttl-s']} s)`,
    );
    await Promise.all(children.map((c) => c.ask('churn', 'churning')));

    const actionIds: string[] = [];
    const expiries: number[] = [];
    const samples: { atS: number; rssMB: number }[] = [];
    const started = performance.now();
    const endAt = started + args.minutes * 60_000;
    let nextLaunch = started;
    let nextSample = started;
    console.log('   t(s)  rss(MB)  online  actions launched/open');
    while (performance.now() < endAt) {
      const now = performance.now();
      if (now >= nextLaunch) {
        nextLaunch += args['launch-every-s'] * 1000;
        const action = await signedAction(['alice'], {
          name: `soak ${actionIds.length + 1}`,
          expireAfter: new Date(Date.now() + args['action-ttl-s'] * 1000),
        });
        const launched = await launch(client, action);
        actionIds.push(launched.record.action.id);
        expiries.push(Date.parse(action.expireAfter));
      }
      if (now >= nextSample) {
        nextSample += SAMPLE_MS;
        const rssMB = mb(process.memoryUsage.rss());
        const atS = Math.round((now - started) / 1000);
        samples.push({ atS, rssMB });
        const online = (await client.countAgents('all')).online;
        const open = (await client.listActions({ status: 'inflight' })).total;
        console.log(
          `${String(atS).padStart(7)}  ${String(rssMB).padStart(7)}  ${String(online).padStart(6)}  ${actionIds.length}/${open}`,
        );
      }
      await sleep(Math.max(10, Math.min(nextLaunch, nextSample, endAt) - performance.now()));
    }
    await Promise.all(children.map((c) => c.ask('calm', 'calm')));
    const reports = await Promise.all(children.map((c) => c.ask('report', 'report')));
    const lastExpiry = Math.max(...expiries);
    const waitMs = Math.max(0, lastExpiry + EXPIRY_GRACE_MS - Date.now());
    console.log(
      `soak: churn stopped; waiting ${Math.round(waitMs / 1000)} s for the last action's validity (+${EXPIRY_GRACE_MS / 1000} s grace)`,
    );
    await sleep(waitMs);

    const records = await Promise.all(actionIds.map((id) => client.getAction(id)));
    const stuck = records.filter((r) => !TERMINAL_ACTION_STATUSES.has(r.status));
    const byStatus: Record<string, number> = {};
    for (const r of records) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const answered = records.reduce((n, r) => n + r.counters.success + r.counters.failed, 0);
    const targeted = records.reduce((n, r) => n + r.counters.targeted, 0);
    const quarter = Math.max(1, Math.floor(samples.length / 4));
    const firstMB = median(samples.slice(0, quarter).map((s) => s.rssMB));
    const lastMB = median(samples.slice(-quarter).map((s) => s.rssMB));
    const maxMB = Math.max(...samples.map((s) => s.rssMB));
    const bound = args['max-growth-mb'];
    const growth = lastMB - firstMB;
    const isFlat = growth <= bound && lastMB <= firstMB * 1.25 + 1;
    const churn = reports.reduce<Record<string, number>>((acc, r) => {
      for (const [k, v] of Object.entries(r)) if (typeof v === 'number') acc[k] = (acc[k] ?? 0) + v;
      return acc;
    }, {});
    console.log(
      `soak: server RSS first-quarter median ${firstMB} MB, last-quarter median ${lastMB} MB (growth ${growth} MB, bound ${bound} MB), max ${maxMB} MB: ${isFlat ? 'flat' : 'GROWING'}`,
    );
    console.log(
      `soak: ${records.length} actions: ${JSON.stringify(byStatus)}; stuck ${stuck.length}${stuck.length > 0 ? ` (${stuck.map((r) => `${r.action.id} ${r.status}`).join(', ')})` : ''}`,
    );
    console.log(
      `soak: agents dropped cleanly ${churn.cleanDrops ?? 0}, connections cut ${churn.cutDrops ?? 0}, mqtt reconnects ${churn.reconnects ?? 0}, commands accepted ${churn.accepted ?? 0}, answers lost to a drop ${churn.lostAnswers ?? 0} (the server stored ${answered} answers for ${targeted} commands; the rest expired); load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    if (!isFlat || stuck.length > 0) exitCode = 1;
  } finally {
    await Promise.allSettled(children.map((c) => c.stop()));
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(exitCode);
}

main().catch((err: unknown) => {
  process.stderr.write(`soak: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
