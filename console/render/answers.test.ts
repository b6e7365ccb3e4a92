// What the renderer prints beyond found rows: rows of answers that found nothing, the warnings
// every answer carries, colour, and the agent-signature verdict (action results --verify).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CommandRecord } from '../../protocol/api.js';
import type { OperationResult } from '../../protocol/messages.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { getModuleSpec } from '../../modules/registry.js';
import { createPalette } from './colors.js';
import { createRenderer, type RenderFormat, type RendererOptions, type Verification } from './renderer.js';

function spec(name: string): AnyModuleSpec {
  const found = getModuleSpec(name);
  if (found === undefined) throw new Error(`no module ${name}`);
  return found;
}

const T = '2024-05-01T12:34:56.000Z';
function answer(
  agentName: string,
  operations: OperationResult[],
  status: CommandRecord['status'] = 'success',
): CommandRecord {
  return {
    id: `${agentName}-cmd`,
    actionId: 'a'.repeat(32),
    agentId: `${agentName}-id`,
    agentName,
    status,
    createdAt: T,
    isFound: operations.some((o) => o.isFound),
    operations,
  };
}

const scribeFail = {
  test: 'cve-1',
  name: 'openssl is patched',
  result: 'fail',
  object: 'openssl',
  identifier: 'openssl',
  value: '1.0.1',
};
const scribePass = { ...scribeFail, test: 'cve-2', result: 'pass' };
const refused = {
  destination: '10.0.0.9',
  protocol: 'tcp',
  port: 22,
  attempt: 1,
  isReachable: false,
  outcome: 'refused',
  latencyMs: 1,
};
const op = (
  module: string,
  isFound: boolean,
  rows: Record<string, unknown>[],
  errors: string[] = [],
): OperationResult => ({ module, isFound, rows, stats: {}, errors });

function render(
  format: RenderFormat,
  s: AnyModuleSpec,
  input: CommandRecord[],
  opts: Partial<RendererOptions> & Pick<RendererOptions, 'show'>,
): { out: string; warned: string[] } {
  let out = '';
  const warned: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      out += chunk.toString();
      done();
    },
  });
  const renderer = createRenderer(format, s, stream, { warn: (l) => warned.push(l), ...opts });
  for (const c of input) renderer.command(c);
  renderer.end();
  return { out, warned };
}

describe('-show prints the rows that came with each answer', () => {
  const scribe = [
    answer('web1', [op('scribe', true, [scribePass])]),
    answer('web2', [op('scribe', false, [scribeFail])]),
  ];
  it.each([
    {
      show: 'found' as const,
      want: 'web1 cve-2 [result:pass, identifier:openssl, value:1.0.1, name:openssl is patched, object:openssl]\n',
    },
    {
      show: 'notfound' as const,
      want: 'web2 nothing found: cve-1 [result:fail, identifier:openssl, value:1.0.1, name:openssl is patched, object:openssl]\n',
    },
  ])('scribe, text, -show $show', ({ show, want }) => {
    expect(render('text', spec('scribe'), scribe, { show }).out).toBe(want);
  });

  it('a refused ping under -show notfound, in json and csv', () => {
    const input = [answer('db1', [op('ping', false, [refused])])];
    const json = JSON.parse(render('json', spec('ping'), input, { show: 'notfound' }).out) as unknown[];
    expect(json).toEqual([
      { agent: 'db1', agentId: 'db1-id', status: 'success', found: false, module: 'ping', row: refused },
    ]);
    const csv = render('csv', spec('ping'), input, { show: 'all' }).out.split('\r\n');
    expect(csv[1]).toBe('db1,db1-id,success,false,10.0.0.9,tcp,22,1,refused,1,,,,');
  });

  it('-show found hides the rows of answers that found nothing', () => {
    expect(render('json', spec('scribe'), scribe, { show: 'found' }).out).not.toContain('cve-1');
  });
});

describe('warnings are part of every answer', () => {
  const missingRoot = '/no/such/dir: cannot open search path (ENOENT)';
  const input = [answer('h1', [op('file', false, [], [missingRoot])])];

  it('text: nothing on stdout under -show found, the warning goes to warn()', () => {
    const { out, warned } = render('text', spec('file'), input, { show: 'found' });
    expect(out).toBe('');
    expect(warned).toEqual([`warning: h1 file: ${missingRoot}`]);
  });

  it.each([
    { format: 'json' as const, parse: (t: string) => JSON.parse(t) as unknown[] },
    {
      format: 'ndjson' as const,
      parse: (t: string) =>
        t
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as unknown),
    },
  ])('$format carries them even when the filter hides the answer', ({ format, parse }) => {
    expect(parse(render(format, spec('file'), input, { show: 'found' }).out)).toEqual([
      {
        agent: 'h1',
        agentId: 'h1-id',
        status: 'success',
        found: false,
        module: 'file',
        row: null,
        warnings: [missingRoot],
      },
    ]);
  });

  it('csv: a warnings column, once per answer, on its first row', () => {
    const rows = [{ path: '/a' }, { path: '/b' }];
    const lines = render('csv', spec('file'), [answer('h2', [op('file', true, rows, ['x: EACCES', 'truncated'])])], {
      show: 'found',
    }).out.split('\r\n');
    expect(lines[0]).toMatch(/,error,warnings$/);
    expect(lines[1]).toMatch(/^h2,.*,\/a,.*,x: EACCES \| truncated$/);
    expect(lines[2]).toMatch(/^h2,.*,\/b,.*,$/);
  });

  it('warn() gets at most 5 lines per answer, then a count; hostile text is escaped', () => {
    const many = Array.from({ length: 8 }, (_, i) => `/p${i}\u001b[2J: EACCES`);
    const { warned } = render('text', spec('file'), [answer('h3', [op('file', false, [], many)])], { show: 'found' });
    expect(warned).toHaveLength(6);
    expect(warned[0]).toBe('warning: h3 file: /p0\\x1b[2J: EACCES');
    expect(warned[5]).toBe('warning: h3: 3 more (-render json lists them all)');
  });

  it('the tally counts warnings, failures and found answers', () => {
    const s = spec('file');
    let out = '';
    const renderer = createRenderer(
      'text',
      s,
      new Writable({ write: (c: Buffer, _e, d) => ((out += c.toString()), d()) }),
      { show: 'all' },
    );
    renderer.command(input[0] as CommandRecord);
    renderer.command(answer('h4', [op('file', true, [{ path: '/x' }])]));
    renderer.command({ ...answer('h5', []), status: 'timeout' });
    renderer.end();
    expect(renderer.tally()).toMatchObject({
      answers: 3,
      found: 1,
      unanswered: 1,
      warnings: 1,
      answersWithWarnings: 1,
      firstWarning: missingRoot,
    });
    expect(out).toContain('h5 error TIMEOUT');
  });
});

describe('colour', () => {
  const input = [
    answer('h1', [op('file', true, [{ path: '/x' }])]),
    answer('h2', [op('file', false, [])]),
    { ...answer('h3', []), status: 'failed' as const },
  ];
  const tty = Object.assign(new Writable({ write: (_c, _e, d) => d() }), { isTTY: true });
  const pipe = new Writable({ write: (_c, _e, d) => d() });

  it.each([
    { name: 'terminal', stream: tty, env: {}, isColoured: true },
    { name: 'pipe', stream: pipe, env: {}, isColoured: false },
    { name: 'terminal with NO_COLOR', stream: tty, env: { NO_COLOR: '1' }, isColoured: false },
    { name: 'pipe with FORCE_COLOR', stream: pipe, env: { FORCE_COLOR: '1' }, isColoured: true },
    { name: 'terminal with FORCE_COLOR=0', stream: tty, env: { FORCE_COLOR: '0' }, isColoured: false },
    { name: 'NO_COLOR beats FORCE_COLOR', stream: pipe, env: { NO_COLOR: '1', FORCE_COLOR: '3' }, isColoured: false },
    { name: 'empty NO_COLOR is unset', stream: tty, env: { NO_COLOR: '' }, isColoured: true },
  ])('$name', ({ stream, env, isColoured }) => {
    const { out } = render('text', spec('file'), input, { show: 'all', palette: createPalette(stream, env) });
    // eslint-disable-next-line no-control-regex
    expect(/\u001b\[/.test(out)).toBe(isColoured);
    // eslint-disable-next-line no-control-regex
    expect(out.replace(/\u001b\[[0-9;]*m/g, '')).toBe(
      'h1 /x\nh2 nothing found\nh3 error FAILED: the agent refused or failed the command\n',
    );
    if (isColoured) expect(out.split('\n')[0]).toBe('\u001b[32mh1 /x\u001b[39m');
  });

  it('machine formats never colour', () => {
    const { out } = render('json', spec('file'), input, {
      show: 'all',
      palette: createPalette(tty, { FORCE_COLOR: '3' }),
    });
    expect(out).not.toContain('\u001b');
  });
});

describe('verification verdicts ride on every entry', () => {
  const input = [
    answer('ok', [op('file', true, [{ path: '/a' }])]),
    answer('old', [op('file', true, [{ path: '/b' }])]),
    answer('evil', [op('file', true, [{ path: '/c' }])]),
  ];
  const verify = (c: CommandRecord): Verification =>
    c.agentName === 'ok' ? 'verified' : c.agentName === 'old' ? 'unsigned' : 'bad';
  it('text, json and csv', () => {
    expect(render('text', spec('file'), input, { show: 'found', verify }).out).toBe(
      'ok /a (verified)\nold /b (UNSIGNED)\nevil /c (BAD SIGNATURE)\n',
    );
    const json = JSON.parse(render('json', spec('file'), input, { show: 'found', verify }).out) as {
      verification: string;
    }[];
    expect(json.map((e) => e.verification)).toEqual(['verified', 'unsigned', 'bad']);
    const csv = render('csv', spec('file'), input, { show: 'found', verify }).out.split('\r\n');
    expect(csv[0]).toMatch(/,error,warnings,verification$/);
    expect(csv[3]).toMatch(/^evil,.*,bad$/);
  });
});
