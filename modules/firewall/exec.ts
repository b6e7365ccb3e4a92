import { spawn } from 'node:child_process';
import { ModuleError } from '../../protocol/errors.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a firewall tool (no shell), feeding `stdin` when given. Rejects only when it cannot start. */
export function runTool(
  command: string,
  args: readonly string[],
  opts: { signal: AbortSignal; stdin?: string },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      signal: opts.signal,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') reject(new ModuleError('MODULE_FAILED', `${command} is not installed`, { cause: e }));
      else reject(new ModuleError('MODULE_FAILED', `${command}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.on('error', () => undefined); // a tool that exits without reading says why on stderr
    child.stdin.end(opts.stdin ?? '');
  });
}

/** Like runTool, but a non-zero exit is a ModuleError quoting the tool's own words. */
export async function mustRun(
  command: string,
  args: readonly string[],
  opts: { signal: AbortSignal; stdin?: string },
): Promise<string> {
  const result = await runTool(command, args, opts);
  if (result.code !== 0) {
    const said = result.stderr.trim().split('\n').slice(0, 6).join(' | ') || `exit code ${result.code}`;
    throw new ModuleError('MODULE_FAILED', `${command} ${args.join(' ')} failed: ${said}`.slice(0, 1500));
  }
  return result.stdout;
}
