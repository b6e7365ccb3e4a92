import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SignedAction } from '../../../protocol/action.js';
import { encodeToken, newTokenPayload } from '../../../protocol/auth-token.js';
import { signDetached } from '../../../protocol/signature.js';
import { armoredPublicKey, fingerprint, privateKey, type TestPerson } from '../keys.js';
import { manualClock, type ManualClock } from '../../../broker/clock.js';
import { startServer, type RunningServer, type ServerOptions } from '../../../broker/server.js';
import { FakeAgent } from './fake-agent.js';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** The code of an API error body, or undefined. */
export function errorCode(answer: ApiAnswer): string | undefined {
  const body = answer.body as { error?: { code?: string } } | null;
  return body?.error?.code;
}

/**
 * Test-only: a real server on port 0 over a temp data dir, a manual clock, signed API calls as
 * the test investigators and fake agents on the real broker. Alice is the bootstrapped admin.
 */
export class ServerHarness {
  readonly clock: ManualClock = manualClock(new Date());
  readonly logs: string[] = [];
  dataDir = '';
  private running: RunningServer | undefined;
  private readonly agents: FakeAgent[] = [];

  async start(extra: Partial<ServerOptions> = {}): Promise<RunningServer> {
    if (this.dataDir === '') this.dataDir = await mkdtemp(join(tmpdir(), 'mig-server-'));
    this.running = await startServer({
      dataDir: this.dataDir,
      httpPort: 0,
      mqttPort: 0,
      bootstrapAdmin: { name: 'alice', publicKey: armoredPublicKey('alice') },
      clock: this.clock,
      flushMs: 20,
      sweepMs: 50,
      sseTiming: { batchMs: 10, pingMs: 100 },
      log: (m) => this.logs.push(m),
      // Tests enroll many agents from 127.0.0.1 at once; the flood tests set their own limits.
      autoAccept: true,
      enrollRate: { burst: 100_000, perSecond: 100_000 },
      ...extra,
    });
    return this.running;
  }

  get server(): RunningServer {
    if (this.running === undefined) throw new Error('harness: start() first');
    return this.running;
  }

  /** Closes the server (agents stay connected until the broker goes). */
  async stop(): Promise<void> {
    await this.running?.close();
    this.running = undefined;
  }

  async token(person: TestPerson, opts: { issuedAt?: Date } = {}): Promise<string> {
    const { bytes } = newTokenPayload(await fingerprint(person), opts.issuedAt ?? this.clock.now());
    return encodeToken(bytes, await signDetached(bytes, await privateKey(person)));
  }

  /** A call signed as `as` (default alice); `authorization` replaces the header (null: none). */
  async api(
    method: string,
    path: string,
    opts: { as?: TestPerson; body?: unknown; authorization?: string | null } = {},
  ): Promise<ApiAnswer> {
    const headers: Record<string, string> = {};
    const auth = opts.authorization === undefined ? await this.token(opts.as ?? 'alice') : opts.authorization;
    if (auth !== null) headers.authorization = auth;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.server.httpUrl}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  }

  submit(action: SignedAction, as: TestPerson = 'alice'): Promise<ApiAnswer> {
    return this.api('POST', '/actions', { as, body: action });
  }

  /**
   * A fake agent named `label`, enrolled (the harness server auto-accepts) and connected; it
   * beats once (and the registry shows that beat) unless told not to. Its id derives from its
   * key: use `agent.id` (or fakeAgentId(label)) where an id is needed.
   */
  async agent(label: string, heartbeat: Parameters<FakeAgent['heartbeat']>[0] | false = {}): Promise<FakeAgent> {
    const agent = await FakeAgent.connect(this.server.mqttUrl, this.server.enrollmentSecret, label);
    this.agents.push(agent);
    if (heartbeat !== false) await this.beat(agent, heartbeat);
    return agent;
  }

  /**
   * `agent` beats and the registry shows that beat. The PUBACK alone does not say the server
   * handled it: a first beat in this process also starts redelivery, which a test must not race.
   */
  async beat(agent: FakeAgent, heartbeat: Parameters<FakeAgent['heartbeat']>[0] = {}): Promise<void> {
    // The enrollment already made a record: wait for this beat's startedAt, which is later.
    const startedAt = heartbeat.startedAt ?? new Date(Date.now() + 1).toISOString();
    await agent.heartbeat({ ...heartbeat, startedAt });
    await waitFor(async () => {
      const res = await this.api('GET', `/agents/${agent.id}`);
      return res.status === 200 && (res.body as { startedAt?: string }).startedAt === startedAt;
    }, `the registry to show ${agent.id}'s beat`);
  }

  /** Keeps `agent` for teardown (agents a test connected itself). */
  track(agent: FakeAgent): FakeAgent {
    this.agents.push(agent);
    return agent;
  }

  async teardown(): Promise<void> {
    await Promise.all(this.agents.splice(0).map((a) => a.close()));
    await this.stop();
    if (this.dataDir !== '') await rm(this.dataDir, { recursive: true, force: true });
    this.dataDir = '';
  }
}

/** Polls until `check` holds; throws after `timeoutMs` naming what it waited for. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what = 'condition',
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
