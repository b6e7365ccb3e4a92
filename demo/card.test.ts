import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOperationsLocally } from '../agent/runner.js';
import { matchesTarget, parseTarget, type AgentFacts } from '../protocol/target/index.js';
import { cardHunts, cardTargets, huntArgv, renderCard } from './card.js';
import { writeHosts } from './hosts.js';
import { buildScenario, type DemoHost } from './scenario.js';
import { huntFromArgv, shellSplit } from '../test/helpers/demo.js';

/** The facts the agent reports for a demo host (see demoAgentConfig); the id is the name here. */
function facts(host: DemoHost): AgentFacts {
  return {
    id: host.name,
    name: host.name,
    os: 'linux',
    arch: host.arch,
    version: '0.1.0',
    mode: 'daemon',
    queueloc: `linux.${host.name}`,
    environment: { ident: host.os.pretty, init: 'systemd', hostname: host.name, addresses: host.addresses.join(',') },
    tags: host.tags,
  };
}

/** A fake but well-formed action id per hunt, for found() in the local simulation. */
const fakeActionId = (i: number): string => i.toString(16).padStart(32, '0');

describe('the card', () => {
  it.each([3, 12, 200].map((n) => ({ name: `${n} hosts`, input: n })))(
    'is the same text for the same fleet: $name',
    ({ input }) => {
      expect(renderCard(buildScenario(input))).toBe(renderCard(buildScenario(input)));
    },
  );

  it('prints every hunt command line and every answer', () => {
    const scenario = buildScenario(12);
    const card = renderCard(scenario);
    for (const hunt of cardHunts(scenario)) {
      expect(card).toContain(hunt.question);
      expect(card).toContain(hunt.expected.length === 0 ? 'answer: no host' : `: ${hunt.expected.join(', ')}`);
    }
  });

  it('has command lines a shell and `mig` take exactly as meant', () => {
    const scenario = buildScenario(12);
    const hunts = cardHunts(scenario);
    const lines = renderCard(scenario)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('mig file '));
    expect(lines).toHaveLength(hunts.length);
    for (const [i, hunt] of hunts.entries()) {
      const argv = shellSplit(lines[i] ?? '');
      expect(argv).toEqual(huntArgv(hunt, hunts));
      const withId = huntArgv(hunt, hunts, { [hunt.after ?? '']: fakeActionId(1) });
      const { target } = huntFromArgv(withId); // the real CLI parsers: throws on a bad flag or parameter
      expect(() => parseTarget(target)).not.toThrow();
    }
    for (const t of cardTargets(scenario)) expect(() => parseTarget(t.target)).not.toThrow();
  });
});

describe.each([3, 12, 40].map((n) => ({ name: `${n} hosts`, input: n })))(
  'card answers hold on the host trees: $name',
  ({ input }) => {
    const scenario = buildScenario(input);
    const hunts = cardHunts(scenario);
    let dir = '';
    const roots = new Map<string, string>();
    const found = new Map<string, Set<string>>();

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'mig-demo-card-'));
      for (const w of writeHosts(dir, scenario)) roots.set(w.name, w.root);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    // Sequential: `after` hunts need the earlier hunt's answer.
    it.each(hunts.map((hunt, i) => ({ name: hunt.id, hunt, i })))('$name', async ({ hunt, i }) => {
      const ids = Object.fromEntries(hunts.map((h, j) => [h.id, fakeActionId(j + 1)]));
      const { target, operations } = huntFromArgv(huntArgv(hunt, hunts, ids));
      const expr = parseTarget(target);
      const ctx = { found: (id: string) => found.get(id) };
      const hits = new Set<string>();
      for (const host of scenario.hosts) {
        if (!matchesTarget(expr, facts(host), ctx)) continue;
        const results = await runOperationsLocally(operations, { root: roots.get(host.name) ?? '', platform: 'linux' });
        expect(
          results.every((r) => r.error === undefined),
          JSON.stringify(results),
        ).toBe(true);
        if (results.some((r) => r.isFound)) hits.add(host.name);
      }
      found.set(fakeActionId(i + 1), hits);
      expect([...hits].sort()).toEqual(hunt.expected);
    });

    it.each(cardTargets(scenario).map((t) => ({ name: t.target, t })))('target $name', ({ t }) => {
      const expr = parseTarget(t.target);
      expect(
        scenario.hosts
          .filter((h) => matchesTarget(expr, facts(h)))
          .map((h) => h.name)
          .sort(),
      ).toEqual(t.expected);
    });
  },
);
