import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/agent/probe.js';
import { storedAgent } from '../../test/helpers/broker/stored-agent.js';
import { AGENT_LOG_FILE, AgentLog } from './agent-log.js';
import type { StoredAgent } from './store.js';
import { join } from 'node:path';

let dir: ReturnType<typeof tempDir>;
let logs: string[];
beforeEach(() => {
  dir = tempDir('agent-log');
  logs = [];
});
afterEach(() => dir.remove());

const agent = (id: string, name = id): StoredAgent =>
  storedAgent({ id, name, status: 'offline', environment: { ident: '', init: '', addresses: [], hostname: name } });
const open = () => AgentLog.open(dir.path, 10_000, (m) => logs.push(m));
const lines = (): string[] => readFileSync(join(dir.path, AGENT_LOG_FILE), 'utf8').trim().split('\n');

describe('AgentLog', () => {
  it('appends one line per changed record, coalescing saves of one id within a flush', async () => {
    const log = await open();
    for (let i = 0; i < 5; i++) void log.save(agent('a-one', `v${i}`));
    void log.save(agent('a-two'));
    await log.flush();
    expect(lines()).toHaveLength(2);
    void log.save(agent('a-one', 'v5'));
    await log.flush();
    // A change costs one line, not a rewrite of every record.
    expect(lines()).toHaveLength(3);
    expect(
      (await open())
        .list()
        .map((a) => a.name)
        .sort(),
    ).toEqual(['a-two', 'v5']);
  });

  it('compacts at open and once the log holds twice the live records (past a floor)', async () => {
    const log = await open();
    for (let round = 0; round < 300; round++) {
      void log.save(agent('a-one', `v${round}`));
      await log.flush();
    }
    // 300 lines for 1 record would be 300: compaction kept the file near the live size.
    expect(log.lineCount).toBeLessThan(300);
    expect(lines().length).toBe(log.lineCount);
    appendFileSync(join(dir.path, AGENT_LOG_FILE), `${JSON.stringify(agent('a-one', 'last'))}\n`);
    const reopened = await open();
    expect(reopened.lineCount).toBe(1);
    expect(lines()).toHaveLength(1);
    expect(reopened.list()[0]?.name).toBe('last');
  });

  it('drops a partial last line (interrupted write) and a line that is not a record, and says so', async () => {
    writeFileSync(join(dir.path, AGENT_LOG_FILE), `${JSON.stringify(agent('a-one'))}\n{"id":"a-bad"}\n{"id":"a-half`);
    const log = await open();
    expect(log.list().map((a) => a.id)).toEqual(['a-one']);
    expect(logs.join('\n')).toMatch(/partial last line/);
    expect(logs.join('\n')).toMatch(/line 2 skipped/);
  });

  it('migrates agents.json from an earlier version once', async () => {
    writeFileSync(join(dir.path, 'agents.json'), JSON.stringify({ agents: [agent('a-old-one'), agent('a-old-two')] }));
    const log = await open();
    expect(
      log
        .list()
        .map((a) => a.id)
        .sort(),
    ).toEqual(['a-old-one', 'a-old-two']);
    expect(existsSync(join(dir.path, 'agents.json'))).toBe(false);
    expect(existsSync(join(dir.path, 'agents.json.migrated'))).toBe(true);
    expect(lines()).toHaveLength(2);
    expect(logs.join('\n')).toContain('moved 2 agent(s)');
  });
});
