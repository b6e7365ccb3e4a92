import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { Operation } from '../../../../protocol/action.js';
import type { AnyModuleSpec } from '../../../../protocol/module-spec.js';
import type { OperationResult } from '../../../../protocol/messages.js';
import { armoredPublicKey, privateKeyPath, publicKeyPath, type TestPerson } from '../../keys.js';
import { startFakeApi, type FakeApi } from '../services/fake-api.js';
import { runInvestigatorCli, type CliDeps } from '../../../../console/cli/main.js';

/** Test-only: drives runInvestigatorCli with captured streams, a temp MIG_HOME and a fake local runner. */
export class Capture extends Writable {
  text = '';
  /** Set to pretend this stream is a terminal. */
  isTTY = false;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface LocalCall {
  operations: Operation[];
  root: string;
}

export interface Harness {
  home: string;
  stdout: Capture;
  stderr: Capture;
  env: NodeJS.ProcessEnv;
  interrupt: AbortController;
  localCalls: LocalCall[];
  /** What the fake runLocal answers. */
  localResults: OperationResult[];
  stdin: string;
  /** Makes stderr look like a terminal (countdown, progress bar). */
  isTty: boolean;
  /** Makes stdout look like a terminal (colours of result rows). */
  isStdoutTty: boolean;
  /** Makes stdin look like a terminal (y/N questions read `stdin`). */
  isStdinTty: boolean;
  /** Module specs instead of the registry's. */
  modules: ReadonlyMap<string, AnyModuleSpec> | undefined;
  run(argv: readonly string[]): Promise<number>;
  cleanup(): void;
}

export function createHarness(): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'mig-cli-'));
  const h: Harness = {
    home: join(dir, 'home'),
    stdout: new Capture(),
    stderr: new Capture(),
    env: {},
    interrupt: new AbortController(),
    localCalls: [],
    localResults: [],
    stdin: '',
    isTty: false,
    isStdoutTty: false,
    isStdinTty: false,
    modules: undefined,
    async run(argv) {
      h.stdout = new Capture();
      h.stderr = new Capture();
      h.stderr.isTTY = h.isTty;
      h.stdout.isTTY = h.isStdoutTty;
      const deps: CliDeps = {
        stdout: h.stdout,
        stderr: h.stderr,
        env: { MIG_HOME: h.home, HOME: dir, ...h.env },
        now: () => new Date(),
        stdin: Object.assign(Readable.from([h.stdin]), { isTTY: h.isStdinTty }),
        ...(h.modules === undefined ? {} : { modules: h.modules }),
        interrupt: h.interrupt.signal,
        runLocal: (operations, opts) => {
          h.localCalls.push({ operations, root: opts.root });
          for (const r of h.localResults) opts.onResult(r);
          return Promise.resolve(h.localResults);
        },
      };
      return runInvestigatorCli(argv, deps);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return h;
}

/** A keyfile identity made of a committed test key, pointing at `serverUrl`. */
export function installIdentity(home: string, person: TestPerson, serverUrl: string): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  copyFileSync(privateKeyPath(person), join(home, 'investigator.key.asc'));
  copyFileSync(publicKeyPath(person), join(home, 'investigator.pub.asc'));
  const config = { serverUrl, signer: { kind: 'keyfile', path: 'investigator.key.asc' }, name: person };
  writeFileSync(join(home, 'config.json'), JSON.stringify(config));
}

/** A CLI harness whose home holds `person`'s keyfile identity, pointing at `serverUrl`. */
export function cliAs(person: TestPerson, serverUrl: string): Harness {
  const h = createHarness();
  installIdentity(h.home, person, serverUrl);
  return h;
}

/** A CLI and the fake server it talks to. */
export interface CliOnServer {
  api: FakeApi;
  h: Harness;
}

/**
 * `person`'s CLI (alice's unless told) against a fresh fake server that knows that key, polling
 * it every 50 ms (tests wait on answers, not on a real poll interval). Pair with
 * `stopCliOnServer` in afterEach.
 */
export async function startCliOnServer(person: TestPerson = 'alice'): Promise<CliOnServer> {
  const api = await startFakeApi({ publicKeys: [armoredPublicKey(person)] });
  const h = cliAs(person, api.url);
  h.env.MIG_POLL_MS = '50';
  return { api, h };
}

/** Stops a command still waiting on the server, then the server, then removes the CLI's home. */
export async function stopCliOnServer({ api, h }: CliOnServer): Promise<void> {
  h.interrupt.abort();
  await api.close();
  h.cleanup();
}
