// The CLI tells the whole truth of an answer: warnings on stderr, in the machine formats and in
// the summary; an incomplete "nothing found" exits 3; -show prints rows of answers that found
// nothing; colour only where a person looks at a terminal.
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../../test/helpers/keys.js';
import type { FakeApi } from '../../test/helpers/console/services/fake-api.js';
import { EXIT } from './main.js';
import { fileHit, fileMiss, serveFleet, type FakeAgentAnswer } from '../../test/helpers/console/cli/fake-actions.js';
import {
  createHarness,
  startCliOnServer,
  stopCliOnServer,
  type Harness,
} from '../../test/helpers/console/cli/harness.js';

const MISSING_ROOT = '/no/such/dir: cannot open search path (ENOENT)';
const miss = fileMiss;
const hit = fileHit;
// eslint-disable-next-line no-control-regex
const ESC = /\u001b\[/;

describe('mig file -t local: warnings and exit status', () => {
  let h: Harness;
  beforeEach(() => (h = createHarness()));
  afterEach(() => h.cleanup());

  it('a missing root is a warning on stderr and in the summary, and exits 3', async () => {
    h.localResults = [miss([MISSING_ROOT])];
    expect(await h.run(['file', '-t', 'local', '-path', '/no/such/dir', '-name', 'x'])).toBe(EXIT.incomplete);
    expect(h.stdout.text).toBe('');
    expect(h.stderr.text).toContain(`warning: ${hostname()} file: ${MISSING_ROOT}\n`);
    expect(h.stderr.text).toContain(`0 rows, nothing found — warning: ${MISSING_ROOT}: the search is incomplete`);
  });

  it.each([
    { render: 'json', want: (out: string) => (JSON.parse(out) as { warnings?: string[] }[])[0]?.warnings },
    { render: 'ndjson', want: (out: string) => (JSON.parse(out.trim()) as { warnings?: string[] }).warnings },
    { render: 'csv', want: (out: string) => [out.split('\r\n')[1]?.split(',').at(-1)] },
  ])('-render $render carries the warnings', async ({ render, want }) => {
    h.localResults = [miss([MISSING_ROOT])];
    expect(await h.run(['file', '-t', 'local', '-path', '/no/such/dir', '-name', 'x', '-render', render])).toBe(
      EXIT.incomplete,
    );
    expect(want(h.stdout.text)).toEqual([MISSING_ROOT]);
  });

  it('found with warnings still exits 0 and counts them', async () => {
    h.localResults = [hit('/etc/passwd', ['/etc/shadow: EACCES', '/etc/gshadow: EACCES'])];
    expect(await h.run(['file', '-t', 'local', '-path', '/etc', '-name', 'passwd'])).toBe(EXIT.found);
    expect(h.stderr.text).toContain('found on 1 agent — 2 warnings on 1 agent');
  });

  it('a clean nothing-found exits 1', async () => {
    h.localResults = [miss()];
    expect(await h.run(['file', '-t', 'local', '-path', '/etc', '-name', 'x'])).toBe(EXIT.notFound);
    expect(h.stderr.text).toMatch(/0 rows, nothing found\n$/);
  });
});

describe('-out: results to a file, its path printed', () => {
  let h: Harness;
  beforeEach(() => (h = createHarness()));
  afterEach(() => h.cleanup());

  it('-t local -render csv -out FILE: nothing on stdout, no colour in the file even on a terminal', async () => {
    h.localResults = [hit('/etc/passwd', ['/etc/shadow: EACCES'])];
    h.isStdoutTty = true;
    const out = join(h.home, '..', 'deep', 'r.csv');
    expect(
      await h.run(['file', '-t', 'local', '-path', '/etc', '-name', 'passwd', '-render', 'csv', '-out', out]),
    ).toBe(EXIT.found);
    expect(h.stdout.text).toBe('');
    expect(h.stderr.text).toContain(`results written to ${out}`);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('/etc/passwd');
    expect(text).toContain('/etc/shadow: EACCES');
    expect(text).not.toMatch(ESC);
  });

  it('an -out that cannot be written is a flag error, before anything runs', async () => {
    h.localResults = [hit('/etc/passwd')];
    writeFileSync(join(h.home, '..', 'file'), '');
    expect(
      await h.run([
        'file',
        '-t',
        'local',
        '-path',
        '/etc',
        '-name',
        'x',
        '-out',
        join(h.home, '..', 'file', 'sub', 'r.csv'),
      ]),
    ).toBe(EXIT.error);
    expect(h.stderr.text).toMatch(/-out: expected a path in a folder that can be made, got ".*r\.csv"/);
  });
});

describe('colour in the CLI', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness();
    h.localResults = [hit('/etc/passwd', ['/etc/shadow: EACCES'])];
  });
  afterEach(() => h.cleanup());

  it('no escape codes when stdout and stderr are not terminals', async () => {
    await h.run(['file', '-t', 'local', '-path', '/etc', '-name', 'passwd']);
    expect(h.stdout.text).not.toMatch(ESC);
    expect(h.stderr.text).not.toMatch(ESC);
  });

  it('found rows in green on a terminal stdout, warnings in yellow on a terminal stderr', async () => {
    h.isStdoutTty = true;
    h.isTty = true;
    await h.run(['file', '-t', 'local', '-path', '/etc', '-name', 'passwd']);
    expect(h.stdout.text).toBe(`\u001b[32m${hostname()} /etc/passwd\u001b[39m\n`);
    expect(h.stderr.text).toContain(`\u001b[33mwarning: ${hostname()} file: /etc/shadow: EACCES\u001b[39m`);
  });

  it.each([
    { name: 'NO_COLOR on a terminal', env: { NO_COLOR: '1' }, isTty: true, isColoured: false },
    { name: 'FORCE_COLOR into a pipe', env: { FORCE_COLOR: '1' }, isTty: false, isColoured: true },
  ])('$name', async ({ env, isTty, isColoured }) => {
    Object.assign(h.env, env);
    h.isStdoutTty = isTty;
    await h.run(['file', '-t', 'local', '-path', '/etc', '-name', 'passwd']);
    expect(ESC.test(h.stdout.text)).toBe(isColoured);
  });

  it('errors in red on a terminal stderr', async () => {
    h.isTty = true;
    expect(await h.run(['file', '-t', 'local', '-path', 'relative', '-name', 'x'])).toBe(EXIT.error);
    // eslint-disable-next-line no-control-regex
    expect(h.stderr.text).toMatch(/^\u001b\[31mmig: /);
  });
});

// Alike on purpose (duplicates): the describe-level CLI and server handles vitest needs per
// describe; their setup is the shared startCliOnServer/stopCliOnServer.
describe('mig file against a server: incomplete answers', () => {
  let api: FakeApi;
  let h: Harness;
  let fp: string;
  beforeEach(async () => {
    ({ api, h } = await startCliOnServer());
    fp = await fingerprint('alice');
  });
  afterEach(() => stopCliOnServer({ api, h }));

  const run = (answers: FakeAgentAnswer[], extra: string[] = []) => {
    serveFleet(api, { answers, fingerprint: fp });
    return h.run(['file', '-path', '/srv', '-name', 'x', '-t', 'all', ...extra]);
  };

  it('nothing found with a warning: exit 3, the warning on stderr and in the summary', async () => {
    const status = await run([
      { agentId: 'agent-a', agentName: 'host-a', status: 'success', operations: [miss([MISSING_ROOT])] },
      { agentId: 'agent-b', agentName: 'host-b', status: 'success', operations: [miss()] },
    ]);
    expect(status).toBe(EXIT.incomplete);
    expect(h.stderr.text).toContain(`warning: host-a file: ${MISSING_ROOT}`);
    expect(h.stderr.text).toMatch(
      /2 agents targeted · 2 answered · 0 found · 0 failed · 0 expired · 1 warning · \d+\.\ds — nothing found — warning: \/no\/such\/dir: cannot open search path \(ENOENT\): the search is incomplete/,
    );
  });

  it('nothing found while an agent failed: exit 3, not 1', async () => {
    const status = await run([
      { agentId: 'agent-a', agentName: 'host-a', status: 'success', operations: [miss()] },
      { agentId: 'agent-c', agentName: 'host-c', status: 'failed' },
    ]);
    expect(status).toBe(EXIT.incomplete);
    expect(h.stderr.text).toContain('nothing found — 1 agent without an answer: the search is incomplete');
  });

  it('-show notfound -render json prints the rows of a refused answer', async () => {
    const refused = { module: 'file', isFound: false, rows: [{ path: '/srv/x', size: 1 }], stats: {}, errors: [] };
    await run(
      [{ agentId: 'agent-a', agentName: 'host-a', status: 'success', operations: [refused] }],
      ['-show', 'notfound', '-render', 'json'],
    );
    expect(JSON.parse(h.stdout.text)).toEqual([
      {
        agent: 'host-a',
        agentId: 'agent-a',
        status: 'success',
        found: false,
        module: 'file',
        row: { path: '/srv/x', size: 1 },
      },
    ]);
  });

  it('-out with a server: the file gets the rows, stderr the path', async () => {
    const out = join(h.home, '..', 'hunt.json');
    expect(
      await run(
        [{ agentId: 'agent-a', agentName: 'host-a', status: 'success', operations: [hit('/srv/x')] }],
        ['-render', 'json', '-out', out],
      ),
    ).toBe(EXIT.found);
    expect(h.stdout.text).toBe('');
    expect(h.stderr.text).toContain(`results written to ${out}`);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual([
      expect.objectContaining({ agent: 'host-a', row: { path: '/srv/x' } }),
    ]);
  });

  it('the countdown is coloured on a terminal', async () => {
    h.isTty = true;
    const running = run([{ agentId: 'agent-a', agentName: 'host-a', status: 'success', operations: [hit('/srv/x')] }]);
    for (let i = 0; i < 500 && !h.stderr.text.includes('launching in 3s'); i++)
      await new Promise((r) => setTimeout(r, 10));
    h.interrupt.abort();
    await running;
    expect(h.stderr.text).toContain('\u001b[1m\u001b[33mlaunching in 3s');
  });
});
