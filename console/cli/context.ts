import type { Operation } from '../../protocol/action.js';
import type { OperationResult } from '../../protocol/messages.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { ApiClient } from '../services/api-client.js';
import { loadConfig, migHome, type Config } from '../services/config.js';
import { defaultPassphraseSource, type MaybeTtyInput, type PassphraseSource } from '../services/passphrase.js';
import { createSigner, type Signer } from '../services/signer.js';

/** What bin/main.ts hands the one-shot CLI. Console code never imports agent/: runLocal is injected. */
export interface CliDeps {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  now(): Date;
  /** In-process agent runner for `-t local`. */
  runLocal(
    operations: Operation[],
    opts: { root: string; onResult(r: OperationResult): void; signal: AbortSignal },
  ): Promise<OperationResult[]>;
  /** Defaults to process.stdin (passphrase prompts, --passphrase-stdin). */
  stdin?: MaybeTtyInput;
  /** Aborts on ctrl+c. Defaults to a SIGINT listener installed for the duration of the run. */
  interrupt?: AbortSignal;
  /** Module specs by name. Defaults to modules/registry.ts. */
  modules?: ReadonlyMap<string, AnyModuleSpec>;
}

/** Exit statuses: scripts branch on them (`mig file ... && echo found`). */
export const EXIT = { found: 0, ok: 0, notFound: 1, error: 2, interrupted: 130 } as const;

/** A stream that may be a terminal (process.stdout/stderr are tty.WriteStream). */
export function isTty(stream: NodeJS.WritableStream | NodeJS.ReadableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/**
 * Everything a command needs, built lazily: `mig help` must work without a config, and a
 * key is unlocked (maybe prompting) only by commands that sign.
 */
export class CliContext {
  readonly home: string;
  readonly stdin: MaybeTtyInput;
  private config?: Promise<Config>;
  private signerPromise?: Promise<Signer>;

  constructor(
    readonly deps: CliDeps,
    readonly interrupt: AbortSignal,
    readonly modules: ReadonlyMap<string, AnyModuleSpec>,
  ) {
    this.home = migHome(deps.env);
    this.stdin = deps.stdin ?? process.stdin;
  }

  get stdout(): NodeJS.WritableStream {
    return this.deps.stdout;
  }
  get stderr(): NodeJS.WritableStream {
    return this.deps.stderr;
  }
  now(): Date {
    return this.deps.now();
  }

  /** A line for the person (progress, notices, warnings): stderr, so stdout stays machine-readable. */
  say(line: string): void {
    this.deps.stderr.write(`${line}\n`);
  }

  loadConfig(): Promise<Config> {
    this.config ??= loadConfig(this.home);
    return this.config;
  }

  passphraseSource(): PassphraseSource {
    return defaultPassphraseSource({ env: this.deps.env, input: this.stdin, output: this.deps.stderr });
  }

  signer(): Promise<Signer> {
    this.signerPromise ??= this.loadConfig().then((config) =>
      createSigner(config.signer, { home: this.home, env: this.deps.env, getPassphrase: this.passphraseSource() }),
    );
    return this.signerPromise;
  }

  /** API client whose requests abort on ctrl+c (pass `isInterruptible: false` for the cancel that follows one). */
  async client(opts: { isInterruptible?: boolean } = {}): Promise<ApiClient> {
    const [config, signer] = await Promise.all([this.loadConfig(), this.signer()]);
    return new ApiClient({
      // MIG_SERVER overrides the configured server for one shell (scripts, tests, a second server).
      serverUrl: this.deps.env.MIG_SERVER ?? config.serverUrl,
      signer,
      now: () => this.now(),
      ...(opts.isInterruptible === false ? {} : { signal: this.interrupt }),
    });
  }
}
