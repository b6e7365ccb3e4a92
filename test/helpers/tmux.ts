import { execFileSync, spawnSync } from 'node:child_process';

/** True when tmux is installed (.ci/run installs it; a developer machine may not have it). */
export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/**
 * Drives a real terminal program in a detached tmux session, as a person would: keys go in
 * with send-keys (with a pause, as typing has), the screen comes back with capture-pane.
 */
export class TmuxSession {
  private constructor(readonly name: string) {}

  static start(
    command: string,
    opts: { width?: number; height?: number; env?: Record<string, string> } = {},
  ): TmuxSession {
    const name = `mig-test-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
    const exports = Object.entries(opts.env ?? {})
      .map(([k, v]) => `${k}='${v.replaceAll("'", "'\\''")}'`)
      .join(' ');
    execFileSync('tmux', [
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(opts.width ?? 120),
      '-y',
      String(opts.height ?? 32),
      `env ${exports} ${command}; sleep 60`,
    ]);
    return new TmuxSession(name);
  }

  screen(): string {
    return execFileSync('tmux', ['capture-pane', '-p', '-t', this.name], { encoding: 'utf8' });
  }

  async keys(...keys: string[]): Promise<void> {
    for (const key of keys) {
      execFileSync('tmux', ['send-keys', '-t', this.name, key]);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  async type(text: string): Promise<void> {
    execFileSync('tmux', ['send-keys', '-t', this.name, '-l', text]);
    await new Promise((r) => setTimeout(r, 150));
  }

  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; the screen shows:\n${screen}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  kill(): void {
    spawnSync('tmux', ['kill-session', '-t', this.name]);
  }
}
