import { describe, expect, it } from 'vitest';
import { compileAgentFilter, effectiveFilter, filterAgents } from './agent-filter.js';
import { loadedAgents } from './agents-state.js';
import { emptyInvestigations, loaded } from './investigations-state.js';
import { targetContext } from './selectors.js';
import { makeActionRecord, makeAgent, makeCommand } from '../../test/helpers/console/state/records.js';

const agents = loadedAgents(Array.from({ length: 9 }, (_, i) => makeAgent(i, i === 4 ? { status: 'offline' } : {})));

describe('agent filter (the target language, locally)', () => {
  it.each([
    { name: 'os', input: "os = 'darwin'", want: 3 },
    { name: 'tags map', input: "tags->>'env' = 'prod'", want: 5 },
    { name: 'status is known to the console', input: "status = 'offline'", want: 1 },
    { name: 'like', input: "name like 'host0000%'", want: 9 },
    { name: 'and/not', input: "os = 'linux' and not tags->>'env' = 'dev'", want: 3 },
    { name: 'all', input: 'all', want: 9 },
  ])('$name', ({ input, want }) => {
    const c = compileAgentFilter(input);
    if (c.kind !== 'ok') throw new Error(`did not parse: ${JSON.stringify(c)}`);
    expect(filterAgents(agents, c.expr)).toHaveLength(want);
  });

  it.each([
    { name: 'unterminated string', input: "os = 'linux", wantCode: /column 6/ },
    { name: 'unknown field', input: "colour = 'red'", wantCode: /colour/ },
    { name: 'dangling and', input: "os = 'linux' and", wantCode: /expected/ },
  ])('parse error: $name', ({ input, wantCode }) => {
    const c = compileAgentFilter(input);
    expect(c.kind).toBe('error');
    if (c.kind === 'error') expect(c.message).toMatch(wantCode);
  });

  it('while typing, a broken draft keeps the applied filter and reports the error', () => {
    const applied = "os = 'darwin'";
    const broken = effectiveFilter(applied, "os = 'lin");
    expect(broken.error).toMatch(/column/);
    expect(filterAgents(agents, broken.expr)).toHaveLength(3);
    expect(effectiveFilter(applied, '').expr).toBeUndefined();
    expect(filterAgents(agents, effectiveFilter(applied, "os = 'linux'").expr)).toHaveLength(6);
  });

  it('found() knows the actions opened in this console, and nothing else', () => {
    const record = makeActionRecord(1);
    const [a0, a1] = [...agents.byId.values()];
    if (a0 === undefined || a1 === undefined) throw new Error('fixture');
    const inv = loaded(emptyInvestigations, record, [
      makeCommand(record, a0, { rows: [{ path: '/x', size: 1, mtime: record.createdAt }] }),
      makeCommand(record, a1),
    ]);
    const found = compileAgentFilter(`found('${record.action.id}')`);
    const other = compileAgentFilter(`found('${'f'.repeat(32)}')`);
    if (found.kind !== 'ok' || other.kind !== 'ok') throw new Error('did not parse');
    expect(filterAgents(agents, found.expr, targetContext(inv)).map((a) => a.id)).toEqual([a0.id]);
    expect(filterAgents(agents, other.expr, targetContext(inv))).toHaveLength(0);
  });
});
