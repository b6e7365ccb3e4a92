import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

const StateSchema = z.object({ jobs: z.record(z.string(), z.object({ lastRun: z.iso.datetime() })) });

/**
 * When each job last ran (its scheduled time), so a restart can tell which runs it missed.
 * One small JSON file, replaced whole (tmp + rename) after each run.
 */
export class RunnerState {
  private constructor(
    private readonly path: string,
    private readonly jobs: Map<string, string>,
  ) {}

  static async open(stateDir: string): Promise<RunnerState> {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    const path = join(stateDir, 'state.json');
    let jobs = new Map<string, string>();
    try {
      const parsed = StateSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
      if (parsed.success) jobs = new Map(Object.entries(parsed.data.jobs).map(([k, v]) => [k, v.lastRun]));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return new RunnerState(path, jobs);
  }

  lastRun(job: string): Date | undefined {
    const at = this.jobs.get(job);
    return at === undefined ? undefined : new Date(at);
  }

  async recordRun(job: string, at: Date): Promise<void> {
    this.jobs.set(job, at.toISOString());
    const tmp = `${this.path}.tmp`;
    await writeFile(
      tmp,
      JSON.stringify({ jobs: Object.fromEntries([...this.jobs].map(([k, v]) => [k, { lastRun: v }])) }),
      { mode: 0o600 },
    );
    await rename(tmp, this.path);
  }
}
