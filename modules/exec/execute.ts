import { spawn } from 'node:child_process';
import type { LineRegex } from '../shared/search/regex.js';
import { OutputTally, type StreamTally } from './tally.js';

/** How long a killed program's end is awaited before its pipes are let go. */
const KILL_GRACE_MS = 2000;

/** What a run of a program came to. */
export interface Execution {
  exitCode: number | undefined;
  signal: string | undefined;
  isTimedOut: boolean;
  durationMs: number;
  stdout: StreamTally;
  stderr: StreamTally;
  /** Why it did not start, or why its output was cut short (a child kept the pipes open). */
  error: string | undefined;
}

export interface ExecuteOptions {
  program: string;
  args: readonly string[];
  /** The whole environment of the program: nothing of the agent's own is inherited. */
  env: Readonly<Record<string, string>>;
  uid: number | undefined;
  gid: number | undefined;
  timeoutMs: number;
  /** Bytes of each stream counted, hashed and matched; the rest is drained unread. */
  maxOutputBytes: number;
  regex: LineRegex | undefined;
  signal: AbortSignal;
}

/**
 * Runs the program directly (execve, no shell: its arguments are never re-parsed) in a session
 * of its own, from `/`, with stdin closed. On timeout or abort the whole process group is killed
 * (SIGKILL: a program that ignores TERM must still stop). Output is tallied as it comes, never kept.
 */
export function execute(opts: ExecuteOptions): Promise<Execution> {
  const started = process.hrtime.bigint();
  const elapsed = (): number => Number((process.hrtime.bigint() - started) / 1_000_000n);
  const stdout = new OutputTally(opts.maxOutputBytes, opts.regex);
  const stderr = new OutputTally(opts.maxOutputBytes, opts.regex);
  return new Promise((resolve) => {
    const child = spawn(opts.program, [...opts.args], {
      cwd: '/',
      env: { ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      shell: false,
      ...(opts.uid === undefined ? {} : { uid: opts.uid }),
      ...(opts.gid === undefined ? {} : { gid: opts.gid }),
    });
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let isTimedOut = false;
    let error: string | undefined;
    let isSettled = false;
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    };
    const settle = (): void => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      resolve({
        exitCode: exit?.code ?? undefined,
        signal: exit?.signal ?? undefined,
        isTimedOut,
        durationMs: elapsed(),
        stdout: stdout.finish(),
        stderr: stderr.finish(),
        error,
      });
    };
    // At the deadline (or a cancel) the program's group is killed and its end awaited a moment;
    // pipes a grandchild in another session still holds are then let go: nothing waits longer.
    const stopNow = (why: 'timeout' | 'abort'): void => {
      if (exit === undefined) {
        isTimedOut = why === 'timeout';
        error ??= why === 'timeout' ? `killed after ${opts.timeoutMs} ms` : 'stopped: the operation was cancelled';
      } else
        error ??= 'output still open after the program exited (another process kept it): counted up to the deadline';
      killGroup();
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        settle();
      }, KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(() => stopNow('timeout'), opts.timeoutMs);
    const onAbort = (): void => stopNow('abort');
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (chunk: Buffer) => stdout.add(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.add(chunk));
    child.on('error', (err: NodeJS.ErrnoException) => {
      error ??= `cannot start ${opts.program}: ${err.code ?? err.message}`;
      settle();
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
    });
    child.on('close', settle);
  });
}
