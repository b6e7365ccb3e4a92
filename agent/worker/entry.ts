/**
 * The one place that knows how a module worker thread starts. Under tsx or vitest this file is
 * TypeScript, and so is the worker: it starts through boot.mjs, which loads it with tsx. From
 * compiled JavaScript (dist/) the worker's own .js file starts directly. Whoever moves the
 * worker files or the build output changes this function and nothing else.
 */
export interface WorkerEntry {
  /** What `new Worker()` starts. */
  url: URL;
  /** Merged into the worker's workerData: boot.mjs reads `main` from it. */
  data: { main?: string };
}

export function workerEntry(): WorkerEntry {
  const isTypeScript = import.meta.url.endsWith('.ts');
  if (!isTypeScript) return { url: new URL('./module-worker.js', import.meta.url), data: {} };
  return { url: new URL('./boot.mjs', import.meta.url), data: { main: new URL('./module-worker.ts', import.meta.url).href } };
}
