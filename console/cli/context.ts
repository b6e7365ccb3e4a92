import type { Operation } from '../../protocol/action.js';
import type { OperationResult } from '../../protocol/messages.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { createPalette, type Palette } from '../render/colors.js';
import type { ApiClient } from '../services/api-client.js';
import { chooseServer, loadConfig, migHome, type Config, type ServerChoice } from '../services/config.js';
import { defaultPassphraseSource, type MaybeTtyInput, type PassphraseSource } from '../services/passphrase.js';
import type { Signer } from '../services/signer.js';

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
  /** Module specs by name. Default: a hunt's own module (modules/spec-loaders.ts), else modules/registry.ts. */
  modules?: ReadonlyMap<string, AnyModuleSpec>;
}

/**
 * Exit statuses: scripts branch on them (`mig file ... && echo found`). `incomplete` is a
 * "nothing found" that is not proof: some answer carried warnings (an unreadable path, a missing
 * search root, truncated rows), an agent did not answer, or a module failed. `unverified`: an
 * answer failed its agent-signature check (`mig action results --verify`).
 */
export const EXIT = { found: 0, ok: 0, notFound: 1, error: 2, incomplete: 3, unverified: 4, interrupted: 130 } as const;

/** The exit statuses in words, for `mig --help`, hunt help and doc/cli.md. */
export const EXIT_STATUS_TEXT =
  'Exit status: 0 something was found, 1 nothing was found, 2 error, 3 nothing was found but the search was incomplete ' +
  '(warnings, agents that did not answer, failed modules), 4 an answer failed verification (action results --verify), 130 interrupted.';

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
  /** Colours for rows on stdout and for notices on stderr, each decided by its own stream. */
  readonly colors: { stdout: Palette; stderr: Palette };
  private config?: Promise<Config>;
  private signerPromise?: Promise<Signer>;
  /** The server the last client talks to and why that one: error hints name both. */
  serverChoice?: ServerChoice;

  constructor(
    readonly deps: CliDeps,
    readonly interrupt: AbortSignal,
    readonly modules: ReadonlyMap<string, AnyModuleSpec>,
  ) {
    this.home = migHome(deps.env);
    this.stdin = deps.stdin ?? process.stdin;
    this.colors = { stdout: createPalette(deps.stdout, deps.env), stderr: createPalette(deps.stderr, deps.env) };
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

  /** A warning line on stderr, in the warning colour. */
  warn(line: string): void {
    this.say(this.colors.stderr.warning(line));
  }

  /** An error line on stderr, in the error colour. */
  sayError(line: string): void {
    this.say(this.colors.stderr.error(line));
  }

  loadConfig(): Promise<Config> {
    this.config ??= loadConfig(this.home);
    return this.config;
  }

  passphraseSource(): PassphraseSource {
    return defaultPassphraseSource({ env: this.deps.env, input: this.stdin, output: this.deps.stderr });
  }

  signer(): Promise<Signer> {
    // Imported here, not above: the signer brings openpgp, which `mig --help` and -t local never use.
    this.signerPromise ??= Promise.all([this.loadConfig(), import('../services/signer.js')]).then(
      ([config, { createSigner }]) =>
        createSigner(config.signer, { home: this.home, env: this.deps.env, getPassphrase: this.passphraseSource() }),
    );
    return this.signerPromise;
  }

  /** API client whose requests abort on ctrl+c (pass `isInterruptible: false` for the cancel that follows one). */
  async client(opts: { isInterruptible?: boolean } = {}): Promise<ApiClient> {
    const [config, signer, { ApiClient }] = await Promise.all([
      this.loadConfig(),
      this.signer(),
      import('../services/api-client.js'),
    ]);
    // MIG_SERVER, else the server a local console really started, else the configured one.
    this.serverChoice = await chooseServer(this.home, this.deps.env, config);
    return new ApiClient({
      serverUrl: this.serverChoice.url,
      signer,
      now: () => this.now(),
      ...(opts.isInterruptible === false ? {} : { signal: this.interrupt }),
    });
  }
}
