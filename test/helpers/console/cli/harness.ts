import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { Operation } from '../../../../protocol/action.js';
import type { AnyModuleSpec } from '../../../../protocol/module-spec.js';
import type { OperationResult } from '../../../../protocol/messages.js';
import { privateKeyPath, publicKeyPath, type TestPerson } from '../../keys.js';
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
