import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CommandRecord } from '../../protocol/api.js';
import { defineModule } from '../../protocol/module-spec.js';
import { createRenderer, type RenderFormat } from './renderer.js';
import type { ShowFilter } from './entries.js';

const params = z.object({ paths: z.array(z.string()).describe('paths') });
const spec = defineModule({
  name: 'file',
  version: '1',
  summary: 'test',
  platforms: ['linux'],
  params,
  result: z.strictObject({ path: z.string(), size: z.number(), mode: z.string(), mtime: z.string() }),
  columns: [
    { key: 'path', header: 'PATH' },
    { key: 'size', header: 'SIZE', isBytes: true, align: 'right' },
    { key: 'mode', header: 'MODE' },
    { key: 'mtime', header: 'MODIFIED', isTime: true },
  ],
  cli: { schema: params, flags: {}, toParams: (v) => v },
  privacy: { leaves: ['path', 'size', 'mode', 'mtime'], sensitive: [], maxRows: 100, maxBytes: 1000 },
  limits: { timeoutMs: 1000 },
  examples: [],
});

const T = '2024-05-01T12:34:56.000Z';
function cmd(over: Partial<CommandRecord> & Pick<CommandRecord, 'id' | 'agentName' | 'status'>): CommandRecord {
  return { actionId: 'a'.repeat(32), agentId: `${over.agentName}-id`, createdAt: T, ...over };
}
const op = (rows: Record<string, unknown>[], isFound = rows.length > 0) => ({
  module: 'file',
  isFound,
  rows,
  stats: {},
  errors: [],
});

const passwd = { path: '/etc/passwd', size: 2150, mode: '-rw-r--r--', mtime: T };
const commands: CommandRecord[] = [
  cmd({ id: 'c1', agentName: 'host1', status: 'sent' }),
  cmd({
    id: 'c1',
    agentName: 'host1',
    status: 'success',
    isFound: true,
    operations: [op([passwd, { ...passwd, path: '/etc/group', size: 900 }])],
  }),
  cmd({ id: 'c1', agentName: 'host1', status: 'success', isFound: true, operations: [op([passwd])] }),
  cmd({ id: 'c2', agentName: 'host2', status: 'success', isFound: false, operations: [op([])] }),
  cmd({
    id: 'c3',
    agentName: 'host3',
    status: 'failed',
    error: { code: 'BAD_SIGNATURE', message: 'signature 1 does not verify' },
  }),
  cmd({ id: 'c4', agentName: 'host4', status: 'expired' }),
  cmd({
    id: 'c5',
    agentName: 'host5',
    status: 'timeout',
    error: { code: 'MODULE_TIMEOUT', message: 'file ran past 30s' },
  }),
];

function render(format: RenderFormat, show: ShowFilter, input: readonly CommandRecord[] = commands): string {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const renderer = createRenderer(format, spec, out, { show });
  for (const c of input) renderer.command(c);
  renderer.end();
  return chunks.join('');
}

describe('text', () => {
  it.each([
    {
      name: 'found: one line per row, first update of c1 only',
      show: 'found' as const,
      want: [
        'host1 /etc/passwd [size:2.1K, mode:-rw-r--r--, mtime:2024-05-01 12:34:56 UTC]',
        'host1 /etc/group [size:900B, mode:-rw-r--r--, mtime:2024-05-01 12:34:56 UTC]',
      ],
    },
    { name: 'notfound', show: 'notfound' as const, want: ['host2 nothing found'] },
    {
      name: 'all: errors carry their code',
      show: 'all' as const,
      want: [
        'host1 /etc/passwd [size:2.1K, mode:-rw-r--r--, mtime:2024-05-01 12:34:56 UTC]',
        'host1 /etc/group [size:900B, mode:-rw-r--r--, mtime:2024-05-01 12:34:56 UTC]',
        'host2 nothing found',
        'host3 error BAD_SIGNATURE: signature 1 does not verify',
        'host4 error EXPIRED: the action expired before the agent answered',
        'host5 error MODULE_TIMEOUT: file ran past 30s',
      ],
    },
  ])('$name', ({ show, want }) => {
    expect(render('text', show)).toBe(want.map((l) => `${l}\n`).join(''));
  });

  it.each([
    {
      name: 'hostile control characters are escaped',
      input: [
        cmd({
          id: 'x',
          agentName: 'evil\u001b[2J',
          status: 'success',
          isFound: true,
          operations: [op([{ ...passwd, path: '/tmp/a\nhost9 /etc/shadow' }])],
        }),
      ],
      want: 'evil\\x1b[2J /tmp/a\\nhost9 /etc/shadow [size:2.1K, mode:-rw-r--r--, mtime:2024-05-01 12:34:56 UTC]\n',
    },
    {
      name: 'found without rows still says so; empty cells are left out',
      input: [cmd({ id: 'y', agentName: 'h', status: 'success', isFound: true, operations: [op([], true)] })],
      want: 'h found something (no rows returned)\n',
    },
    {
      name: 'failed operation inside a successful command, and another module’s rows by their own keys',
      input: [
        cmd({
          id: 'z',
          agentName: 'h',
          status: 'success',
          isFound: true,
          operations: [
            { module: 'netstat', isFound: true, rows: [{ addr: '10.0.0.1', port: 22 }], stats: {}, errors: [] },
            {
              module: 'file',
              isFound: false,
              rows: [],
              stats: {},
              errors: [],
              error: { code: 'MODULE_FAILED', message: 'boom' },
            },
          ],
        }),
      ],
      want: 'h 10.0.0.1 [port:22]\nh error MODULE_FAILED in file: boom\n',
    },
  ])('$name', ({ input, want }) => {
    expect(render('text', 'all', input)).toBe(want);
  });
});

describe('json and ndjson', () => {
  it('json writes one array at end()', () => {
    const parsed = JSON.parse(render('json', 'all')) as unknown[];
    expect(parsed).toHaveLength(6);
    expect(parsed[0]).toEqual({
      agent: 'host1',
      agentId: 'host1-id',
      status: 'success',
      found: true,
      module: 'file',
      row: passwd,
    });
    expect(parsed[2]).toEqual({
      agent: 'host2',
      agentId: 'host2-id',
      status: 'success',
      found: false,
      module: 'file',
      row: null,
    });
    expect(parsed[4]).toEqual({
      agent: 'host4',
      agentId: 'host4-id',
      status: 'expired',
      found: false,
      row: null,
      error: { code: 'EXPIRED', message: 'the action expired before the agent answered' },
    });
  });

  it.each([
    { name: 'json with nothing to show is still valid', format: 'json' as const, want: '[]\n' },
    { name: 'ndjson with nothing to show is empty', format: 'ndjson' as const, want: '' },
    {
      name: 'csv with nothing to show has its header',
      format: 'csv' as const,
      want: 'agent,agent_id,status,found,path,size,mode,mtime,error,warnings\r\n',
    },
  ])('$name', ({ format, want }) => {
    expect(render(format, 'found', [])).toBe(want);
  });

  it('ndjson writes one object per line', () => {
    const lines = render('ndjson', 'notfound').split('\n');
    expect(lines).toEqual([
      '{"agent":"host2","agentId":"host2-id","status":"success","found":false,"module":"file","row":null}',
      '',
    ]);
  });
});

describe('csv', () => {
  it('writes header, rows and errors', () => {
    expect(render('csv', 'all').split('\r\n')).toEqual([
      'agent,agent_id,status,found,path,size,mode,mtime,error,warnings',
      `host1,host1-id,success,true,/etc/passwd,2150,'-rw-r--r--,${T},,`,
      `host1,host1-id,success,true,/etc/group,900,'-rw-r--r--,${T},,`,
      'host2,host2-id,success,false,,,,,,',
      'host3,host3-id,failed,false,,,,,BAD_SIGNATURE: signature 1 does not verify,',
      'host4,host4-id,expired,false,,,,,EXPIRED: the action expired before the agent answered,',
      'host5,host5-id,timeout,false,,,,,MODULE_TIMEOUT: file ran past 30s,',
      '',
    ]);
  });

  // Alike on purpose (duplicates): {name, path, want} rows, one CSV guard per row; modules/netstat/ip.test.ts's table
  // shares only the row form.
  it.each([
    { name: 'comma', path: '/a,b', want: '"/a,b"' },
    { name: 'quote', path: '/a"b', want: '"/a""b"' },
    { name: 'newline', path: '/a\nb', want: '"/a\nb"' },
    { name: 'carriage return', path: '/a\rb', want: '"/a\rb"' },
    { name: 'formula =', path: '=HYPERLINK("http://x")', want: `"'=HYPERLINK(""http://x"")"` },
    { name: 'formula +', path: '+1+1', want: "'+1+1" },
    { name: 'formula -', path: '-2+3', want: "'-2+3" },
    { name: 'formula @', path: '@SUM(A1)', want: "'@SUM(A1)" },
    { name: 'leading tab', path: '\tx', want: "'\tx" },
    { name: 'plain', path: '/etc/passwd', want: '/etc/passwd' },
  ])('quotes and guards: $name', ({ path, want }) => {
    const input = [
      cmd({
        id: 'q',
        agentName: 'h',
        status: 'success',
        isFound: true,
        operations: [op([{ path, size: -1, mode: 'x', mtime: T }])],
      }),
    ];
    const line = render('csv', 'found', input).split('\r\n')[1];
    // size -1 is a number: never prefixed, it is data and no spreadsheet runs it.
    expect(line).toBe(`h,h-id,success,true,${want},-1,x,${T},,`);
  });
});

describe('renderer lifecycle', () => {
  it('refuses commands after end()', () => {
    const out = new Writable({ write: (_c, _e, done) => done() });
    const renderer = createRenderer('text', spec, out, { show: 'all' });
    renderer.end();
    expect(() => renderer.command(commands[1] as CommandRecord)).toThrow(/after end/);
  });
});
