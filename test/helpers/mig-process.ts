import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Path of the real `mig` executable: tests run it exactly as a user would (no npx: +0.5 s each):
 * the compiled dist/ when it is current (CI: `npm ci` builds it), else the sources through tsx
 * (bin/dist-state.js), so an edit since the last build is never tested on stale JavaScript.
 */
export const MIG_BIN = fileURLToPath(new URL('../../bin/mig.js', import.meta.url));

export interface MigProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in stdout+stderr, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or 128+signal) once the process has ended. */
  exited: Promise<number>;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Starts `mig <args>` as a child process with its own environment (MIG_NO_GPG: a first run never reads the tester's GnuPG keyring). */
export function startMig(args: readonly string[], env: NodeJS.ProcessEnv): MigProcess {
  const child = spawn(process.execPath, [MIG_BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1', MIG_NO_GPG: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    for (const notify of listeners) notify();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
  });
  const waitFor = (pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = text.match(pattern);
        if (match === null) return false;
        cleanup();
        resolve(match);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${pattern} in output of mig ${args.join(' ')}:\n${text}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        listeners.delete(onData);
      };
      const onData = (): void => void check();
      if (!check()) listeners.add(onData);
    });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return { child, output: () => text, waitFor, exited, stop };
}

/** Runs `mig <args>` to completion and returns its exit code and output. */
export async function runMig(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MIG_BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1', MIG_NO_GPG: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 137)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
