// `npm run soak -- [--agents 1000] [--minutes 10] [--launch-every-s 15] [--churn-percent 1] [--max-live-growth-mb 16] [--max-growth-mb 64]`
//
// The soak: a server in this process (as the fan-out bench runs it), N simulated agents in two
// child processes (scripts/soak-agents.ts over bench/fanout-sim-agent.ts), connecting and
// dropping at random for D minutes while actions are launched every few seconds. Every 10 s it
// prints the server's RSS, its live memory (heap used + external after a full collection), the
// commands stored, agents online and the actions' states. At the end the churn stops, the last
// actions run out their validity, and it checks (scripts/soak-memory.ts):
//   - memory flat: live memory less the stored data grew at most --max-live-growth-mb from the
//     first quarter's median to the last quarter's, and RSS less the stored data at most
//     --max-growth-mb. The embedded store keeps every command in memory by design: what one
//     costs is measured at the end by loading the data dir into a fresh store;
//   - no stuck action: every action is completed, expired or cancelled once its expireAfter
//     (plus a grace) has passed.
// `--plant-leak-kb-per-s K` keeps K KB more every second in this process (a leak on purpose):
// the verdict must then say LEAKING; doc/performance.md shows both runs.
// Exits 1 when either check fails, 2 on a usage error.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { aliceClient, launch } from '../bench/fanout-api.js';
import { startServer, type RunningServer } from '../broker/server.js';
import { ActionFiles } from '../broker/store/action-files.js';
import { signedAction } from '../test/helpers/actions.js';
import { armoredPublicKey } from '../test/helpers/keys.js';
import { fullGc, liveBytes, memoryVerdict, type MemorySample } from './soak-memory.js';

const Args = z.strictObject({
  agents: z.coerce.number().int().min(2).max(20_000).default(1000),
  minutes: z.coerce
    .number()
    .min(0.5)
    .max(24 * 60)
    .default(10),
  'launch-every-s': z.coerce.number().min(1).max(3600).default(15),
  'churn-percent': z.coerce.number().min(0).max(100).default(1).describe('share of the fleet dropped per second'),
  'max-growth-mb': z.coerce.number().min(1).max(100_000).default(64).describe('RSS less stored data'),
  'max-live-growth-mb': z.coerce.number().min(1).max(100_000).default(16).describe('live heap less stored data'),
  'plant-leak-kb-per-s': z.coerce.number().int().min(0).max(100_000).default(0),
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
    `soak: ${problem}\nusage: npm run soak -- [--agents N] [--minutes D] [--launch-every-s S] [--churn-percent P] [--max-live-growth-mb L] [--max-growth-mb M] [--action-ttl-s T] [--seed K] [--plant-leak-kb-per-s K]\n`,
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

const mb = (bytes: number): number => Math.round(bytes / 1e6);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One API call, asked again (twice at most) when the connection failed: at a load of 30 on two
 * cores, with a full collection every sample, a kept-alive socket the server has just closed
 * gets reused and resets (seen once in a 10-minute run). Other errors are thrown at once.
 */
async function patiently<T>(what: string, ask: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ask();
    } catch (err) {
      const message = (err as Error).message;
      if (attempt >= 3 || !/ECONNRESET|socket hang up|fetch failed|cannot reach/.test(message)) throw err;
      console.log(`soak: ${what} failed (${message}); asking again`);
    }
  }
}

/** A leak on purpose (--plant-leak-kb-per-s): strings kept for ever, so the verdict can be seen to catch one. */
function plantLeak(kbPerSecond: number): () => void {
  if (kbPerSecond === 0) return () => undefined;
  const kept: string[] = [];
  const timer = setInterval(() => {
    // Random hex: flat strings V8 cannot share (padEnd's filler would be shared), 1 KB each.
    for (let i = 0; i < kbPerSecond; i++) kept.push(randomBytes(512).toString('hex'));
  }, 1000);
  return () => clearInterval(timer);
}

/**
 * MB of live memory per stored command: the actions of a closed server's data dir loaded again
 * (broker/store/action-files.ts, what the embedded store keeps in memory), weighed between two full collections. Measured, not fitted to the run's samples, so a
 * leak that grows with time cannot pass for stored data.
 */
async function storedMBPerCommand(dataDir: string, commands: number, gc: () => void): Promise<number> {
  if (commands === 0) return 0;
  const before = liveBytes(gc);
  // The actions and their commands only: agents and investigators are there from the start.
  const store = await ActionFiles.open(dataDir, 1000, () => undefined);
  const loaded = liveBytes(gc);
  const actions = store.list({ limit: 1, offset: 0 }).total;
  await store.close();
  if (actions === 0) throw new Error(`soak: the store in ${dataDir} holds no action to weigh`);
  return Math.max(0, loaded - before) / 1e6 / commands;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const gc = fullGc();
  const dir = mkdtempSync(join(tmpdir(), 'mig-soak-'));
  const dataDir = join(dir, 'server');
  const children: Child[] = [];
  let server: RunningServer | undefined = await startServer({
    dataDir,
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
    if (args['plant-leak-kb-per-s'] > 0)
      console.log(`soak: PLANTED LEAK: keeping ${args['plant-leak-kb-per-s']} KB more every second (a self-check)`);
    await Promise.all(children.map((c) => c.ask('churn', 'churning')));
    const stopLeak = plantLeak(args['plant-leak-kb-per-s']);

    const actionIds: string[] = [];
    const expiries: number[] = [];
    const samples: MemorySample[] = [];
    let storedCommands = 0;
    const started = performance.now();
    const endAt = started + args.minutes * 60_000;
    let nextLaunch = started;
    let nextSample = started;
    console.log('   t(s)  rss(MB)  live(MB)  commands  online  actions launched/open');
    while (performance.now() < endAt) {
      const now = performance.now();
      if (now >= nextLaunch) {
        nextLaunch += args['launch-every-s'] * 1000;
        const action = await signedAction(['alice'], {
          name: `soak ${actionIds.length + 1}`,
          expireAfter: new Date(Date.now() + args['action-ttl-s'] * 1000),
        });
        const launched = await patiently('launching', () => launch(client, action));
        actionIds.push(launched.record.action.id);
        expiries.push(Date.parse(action.expireAfter));
        // Every command is created at launch: the store holds this many from now on.
        storedCommands += launched.record.counters.targeted;
      }
      if (now >= nextSample) {
        nextSample += SAMPLE_MS;
        const liveMB = liveBytes(gc) / 1e6;
        const sample = {
          atS: Math.round((now - started) / 1000),
          rssMB: mb(process.memoryUsage.rss()),
          liveMB,
          storedCommands,
        };
        samples.push(sample);
        const online = (await patiently('counting agents', () => client.countAgents('all'))).online;
        const open = (await patiently('listing actions', () => client.listActions({ status: 'inflight' }))).total;
        console.log(
          `${String(sample.atS).padStart(7)}  ${String(sample.rssMB).padStart(7)}  ${liveMB.toFixed(1).padStart(8)}  ${String(storedCommands).padStart(8)}  ${String(online).padStart(6)}  ${actionIds.length}/${open}`,
        );
      }
      await sleep(Math.max(10, Math.min(nextLaunch, nextSample, endAt) - performance.now()));
    }
    stopLeak();
    await Promise.all(children.map((c) => c.ask('calm', 'calm')));
    const reports = await Promise.all(children.map((c) => c.ask('report', 'report')));
    const lastExpiry = Math.max(...expiries);
    const waitMs = Math.max(0, lastExpiry + EXPIRY_GRACE_MS - Date.now());
    console.log(
      `soak: churn stopped; waiting ${Math.round(waitMs / 1000)} s for the last action's validity (+${EXPIRY_GRACE_MS / 1000} s grace)`,
    );
    await sleep(waitMs);

    const records = await Promise.all(
      actionIds.map((id) => patiently('reading an action', () => client.getAction(id))),
    );
    const stuck = records.filter((r) => !TERMINAL_ACTION_STATUSES.has(r.status));
    const byStatus: Record<string, number> = {};
    for (const r of records) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const answered = records.reduce((n, r) => n + r.counters.success + r.counters.failed, 0);
    const targeted = records.reduce((n, r) => n + r.counters.targeted, 0);
    const churn = reports.reduce<Record<string, number>>((acc, r) => {
      for (const [k, v] of Object.entries(r)) if (typeof v === 'number') acc[k] = (acc[k] ?? 0) + v;
      return acc;
    }, {});

    // Weighing the stored data needs the server closed (its store flushed, its memory free).
    await Promise.allSettled(children.splice(0).map((c) => c.stop()));
    await server.close();
    server = undefined;
    const mbPerCommand = await storedMBPerCommand(dataDir, storedCommands, gc);
    const memory = memoryVerdict(samples, mbPerCommand, {
      maxLiveGrowthMB: args['max-live-growth-mb'],
      maxRssGrowthMB: args['max-growth-mb'],
    });
    const rawRss = (s: MemorySample | undefined): string => (s === undefined ? '?' : String(s.rssMB));
    console.log(
      `soak: stored data ${(mbPerCommand * 1e3).toFixed(2)} KB per command (the data dir loaded into a fresh store), ${storedCommands} commands: ${(mbPerCommand * storedCommands).toFixed(1)} MB`,
    );
    console.log(
      `soak: live memory less stored data: first-quarter median ${memory.firstLiveMB.toFixed(1)} MB, last-quarter ${memory.lastLiveMB.toFixed(1)} MB (growth ${memory.liveGrowthMB.toFixed(1)} MB, bound ${args['max-live-growth-mb']} MB); RSS less stored data grew ${memory.rssGrowthMB.toFixed(1)} MB (bound ${args['max-growth-mb']} MB; raw RSS ${rawRss(samples[0])} → ${rawRss(samples.at(-1))} MB, of which stored data ${memory.storedGrowthMB.toFixed(1)} MB): ${memory.isFlat ? 'flat' : `LEAKING: ${memory.reasons.join('; ')}`}`,
    );
    console.log(
      `soak: ${records.length} actions: ${JSON.stringify(byStatus)}; stuck ${stuck.length}${stuck.length > 0 ? ` (${stuck.map((r) => `${r.action.id} ${r.status}`).join(', ')})` : ''}`,
    );
    console.log(
      `soak: agents dropped cleanly ${churn.cleanDrops ?? 0}, connections cut ${churn.cutDrops ?? 0}, mqtt reconnects ${churn.reconnects ?? 0}, commands accepted ${churn.accepted ?? 0}, answers lost to a drop ${churn.lostAnswers ?? 0} (the server stored ${answered} answers for ${targeted} commands; the rest expired); load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    if (!memory.isFlat || stuck.length > 0) exitCode = 1;
  } finally {
    await Promise.allSettled(children.map((c) => c.stop()));
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(exitCode);
}

main().catch((err: unknown) => {
  process.stderr.write(`soak: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
