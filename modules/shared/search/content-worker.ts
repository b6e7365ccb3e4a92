import { parentPort } from 'node:worker_threads';
import { scanFile, type ScanJob, type ScanOutcome, type ScanSpec } from './content-scan.js';

/**
 * A content thread (content-pool.ts): reads and matches the files of each group it is sent, one
 * group at a time, and answers with one outcome per file in the group's order. It starts no
 * thread of its own (nesting stops here: module thread -> content threads) and loads no zod: its
 * only peer is the module thread that started it, which checks every reply against a schema.
 */

interface Group {
  id: number;
  specs: ScanSpec[];
  jobs: ScanJob[];
}

const port = parentPort;
if (port === null) throw new Error('content-worker runs as a worker thread started by content-pool.ts');

port.on('message', (group: Group) => {
  void scanGroup(group).then((outcomes) => port.postMessage({ kind: 'scanned', id: group.id, outcomes }));
});
port.postMessage({ kind: 'ready' });

async function scanGroup(group: Group): Promise<ScanOutcome[]> {
  const outcomes: ScanOutcome[] = [];
  for (const job of group.jobs) {
    try {
      // A thread's reads are never paused nor aborted (its pool ends the thread): never undefined here.
      outcomes.push((await scanFile(job, group.specs)) ?? { error: { message: 'scan aborted', code: '' } });
    } catch (err) {
      // Our bug (a pattern the module thread compiled, a spec index), not the file's: still one answer per file.
      outcomes.push({ error: { message: err instanceof Error ? err.message : String(err), code: '' } });
    }
  }
  return outcomes;
}
