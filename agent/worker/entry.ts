/**
 * The one place that knows how a module worker thread starts. Under tsx or vitest this file is
 * TypeScript, and so is the worker: it starts through boot.mjs, which loads it with tsx. From
 * compiled JavaScript (dist/) the worker's own .js file starts directly. A single-file agent
 * (agent/bundle/) says so with useWorkerScript(): its workers start the bundle file itself.
 * Whoever moves the worker files or the build output changes this file and nothing else.
 */
export interface WorkerEntry {
  /** What `new Worker()` starts. */
  url: URL;
  /** Merged into the worker's workerData: boot.mjs reads `main`, a bundle reads `role`. */
  data: { main?: string; role?: string };
}

let override: WorkerEntry | undefined;

/**
 * Module workers start `entry` from now on (a bundle passes its own file and a role that makes
 * its top level run the module worker). Process-wide: one agent process has one kind of start.
 */
export function useWorkerScript(entry: WorkerEntry): void {
  override = entry;
}

export function workerEntry(): WorkerEntry {
  if (override !== undefined) return override;
  const isTypeScript = import.meta.url.endsWith('.ts');
  if (!isTypeScript) return { url: new URL('./module-worker.js', import.meta.url), data: {} };
  return {
    url: new URL('./boot.mjs', import.meta.url),
    data: { main: new URL('./module-worker.ts', import.meta.url).href },
  };
}
