// @ts-check
/**
 * Development start of a module worker: Node 20 cannot load TypeScript in a worker thread (the
 * parent's `--import tsx` or vitest's transform do not reach it), so this plain-JavaScript file
 * registers tsx's loader for this thread alone (`tsImport`) and loads the TypeScript worker with
 * it; every import below it, dynamic ones included, goes through tsx too. Compiled code starts
 * module-worker.js directly and never loads this file (see entry.ts).
 */
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

/** @type {{ main: string }} */
const data = workerData;
await tsImport(data.main, import.meta.url);
