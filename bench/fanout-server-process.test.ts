import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { aliceClient } from './fanout-api.js';
import { processMemory, spawnServerProcess, type ServerProcess } from './fanout-server-process.js';

let server: ServerProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

it('runs mig server in its own process: its API answers alice, its memory and CPU come from /proc, and close ends it', async () => {
  dir = mkdtempSync(join(tmpdir(), 'fanout-server-process-'));
  const running = await spawnServerProcess(dir, {
    autoAccept: true,
    enrollRate: { burst: 1000, perSecond: 1000 },
    maxPendingEnrollments: 1000,
  });
  server = running;
  expect(running.pid).not.toBe(process.pid);
  // The bench's sim agents read this file: the server wrote it where it said.
  expect(JSON.parse(readFileSync(running.agentConfigPath, 'utf8'))).toHaveProperty('brokerUrl');
  const counts = await (await aliceClient(running.httpUrl)).countAgents('all');
  expect(counts.online).toBe(0);
  const memory = running.memory();
  expect(memory.rssMB).toBeGreaterThan(10);
  expect(memory.hwmMB).toBeGreaterThanOrEqual(memory.rssMB);
  expect(running.cpuMs()).toBeGreaterThan(0);
  await running.close();
  expect(() => running.memory()).toThrow(/\/proc\//);
}, 120_000);

it('reads VmRSS and VmHWM of any process, this one included', () => {
  const own = processMemory(process.pid);
  // Same kernel figure as Node's own, within what this test allocates between the two reads.
  expect(Math.abs(own.rssMB - process.memoryUsage().rss / 1e6)).toBeLessThan(20);
  expect(own.hwmMB).toBeGreaterThanOrEqual(own.rssMB);
});
