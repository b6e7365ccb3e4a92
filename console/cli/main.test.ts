import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { armoredPublicKey, fingerprint, publicKeyPath } from '../../test/helpers/keys.js';
import type { FakeApi } from '../../test/helpers/console/services/fake-api.js';
import { COMMANDS } from './commands.js';
import { EXIT } from './main.js';
import {
  createHarness,
  startCliOnServer,
  stopCliOnServer,
  type Harness,
} from '../../test/helpers/console/cli/harness.js';

describe('mig help', () => {
  let h: Harness;
  beforeEach(() => (h = createHarness()));
  afterEach(() => h.cleanup());

  it.each([{ input: ['--help'] }, { input: ['help'] }, { input: ['-h'] }])(
    '$input lists every command and module',
    async ({ input }) => {
      expect(await h.run(input)).toBe(EXIT.ok);
      for (const c of COMMANDS) expect(h.stdout.text).toContain(`${c.path.join(' ')}`);
      expect(h.stdout.text).toMatch(/^ {2}file \[flags\] {2,}\S/m);
      expect(h.stdout.text).toContain(
        'Exit status of hunts and action results: 0 something was found, 1 nothing was found, 2 error, 3 nothing was found but the search was incomplete',
      );
    },
  );

  it.each([
    { name: 'no command', input: [], wantStatus: EXIT.error, wantErr: '', wantOut: 'Usage: mig <command>' },
    {
      name: 'typo',
      input: ['agnets'],
      wantStatus: EXIT.error,
      wantErr: 'unknown command "agnets"; did you mean agents?',
      wantOut: '',
    },
    {
      name: 'help for a command',
      input: ['help', 'agents'],
      wantStatus: EXIT.ok,
      wantErr: '',
      wantOut: 'mig agents: list agents',
    },
    {
      name: 'a process command',
      input: ['server'],
      wantStatus: EXIT.error,
      wantErr: 'not handled by the investigator CLI',
      wantOut: '',
    },
    {
      name: 'no identity yet',
      input: ['agents'],
      wantStatus: EXIT.error,
      wantErr: 'hint: run `mig init` first',
      wantOut: '',
    },
  ])('$name', async ({ input, wantStatus, wantErr, wantOut }) => {
    expect(await h.run(input)).toBe(wantStatus);
    expect(h.stderr.text).toContain(wantErr);
    expect(h.stdout.text).toContain(wantOut);
  });
});

describe('mig agents / investigators', () => {
  let api: FakeApi;
  let h: Harness;
  beforeEach(async () => {
    ({ api, h } = await startCliOnServer());
  });
  afterEach(() => stopCliOnServer({ api, h }));

  const agent = {
    id: 'agent-a',
    name: 'host-a\u001b[31m',
    os: 'linux',
    arch: 'x64',
    version: '0.1.0',
    mode: 'daemon',
    queueloc: 'linux.host-a',
    environment: { ident: 'Debian', init: 'systemd', addresses: [], hostname: 'host-a' },
    tags: {},
    modules: ['file'],
    status: 'online',
    heartbeatMs: 30_000,
    startedAt: '2025-01-01T00:00:00.000Z',
    firstSeenAt: '2025-01-01T00:00:00.000Z',
    lastHeartbeatAt: '2025-01-01T00:01:00.000Z',
  };

  it('agents: passes the target, prints a table without terminal escapes', async () => {
    api.route('GET', /^\/agents$/, () => ({ body: { agents: [agent], total: 1 } }));
    expect(await h.run(['agents', '-t', "os = 'linux'"])).toBe(EXIT.ok);
    expect(api.requests[0]?.query.get('target')).toBe("os = 'linux'");
    const [header, row] = h.stdout.text.split('\n');
    expect(header).toMatch(/^ID +NAME +OS +ARCH +STATUS +VERSION +POLICY +LAST HEARTBEAT$/);
    expect(row).toMatch(/^agent-a +host-a\?\[31m +linux +x64 +online/);
  });

  it('investigators add sends the key file and the admin flag', async () => {
    const fp = await fingerprint('bob');
    api.route('POST', /^\/investigators$/, (req) => {
      const body = req.body as { name: string; publicKey: string; isAdmin: boolean };
      return {
        status: 201,
        body: {
          fingerprint: fp,
          name: body.name,
          publicKey: body.publicKey,
          isAdmin: body.isAdmin,
          status: 'active',
          createdAt: new Date().toISOString(),
        },
      };
    });
    expect(await h.run(['investigators', 'add', '--name', 'Bob', '--key', publicKeyPath('bob'), '--admin'])).toBe(
      EXIT.ok,
    );
    expect(api.requests[0]?.body).toEqual({ name: 'Bob', publicKey: armoredPublicKey('bob'), isAdmin: true });
    expect(h.stdout.text).toBe(`added Bob ${fp} (admin)\n`);
  });

  it.each([
    { name: 'disable', verb: 'disable', wantStatus: 'disabled' },
    { name: 'enable', verb: 'enable', wantStatus: 'active' },
  ])('investigators $name FP', async ({ verb, wantStatus }) => {
    const fp = await fingerprint('bob');
    api.route('POST', /^\/investigators\/([0-9a-f]+)\/(disable|enable)$/, (_req, [got]) => ({
      body: {
        fingerprint: got,
        name: 'Bob',
        publicKey: 'k',
        isAdmin: false,
        status: wantStatus,
        createdAt: new Date().toISOString(),
      },
    }));
    // A caller who is not an admin is told who can make agents follow.
    api.route('GET', /^\/me$/, () => ({
      body: {
        fingerprint: fp,
        name: 'Bob',
        publicKey: 'k',
        isAdmin: false,
        status: 'active',
        createdAt: new Date().toISOString(),
      },
    }));
    expect(await h.run(['investigators', verb, fp.toUpperCase()])).toBe(EXIT.ok);
    expect(api.requests[0]?.path).toBe(`/investigators/${fp}/${verb}`);
    expect(h.stdout.text).toBe(`Bob ${fp} is ${wantStatus}\n`);
    expect(h.stderr.text).toContain('ask an admin to run `mig policy publish`');
  });

  it('a non-admin gets FORBIDDEN with the server message', async () => {
    api.route('POST', /^\/investigators$/, () => ({
      status: 403,
      body: { error: { code: 'FORBIDDEN', message: 'admins only' } },
    }));
    expect(await h.run(['investigators', 'add', '--name', 'Bob', '--key', publicKeyPath('bob')])).toBe(EXIT.error);
    expect(h.stderr.text).toContain('mig: admins only (FORBIDDEN)');
  });

  it.each([
    {
      name: 'bad fingerprint',
      input: ['investigators', 'disable', '0123456789abcdef0123'],
      want: 'FINGERPRINT: expected a 40 or 64 hex',
    },
    { name: 'missing --key', input: ['investigators', 'add', '--name', 'x'], want: '-key: ' },
    {
      name: 'bad agent status',
      input: ['agents', '-status', 'asleep'],
      want: '-status: expected one of online, idle, offline, destroyed',
    },
  ])('$name', async ({ input, want }) => {
    expect(await h.run(input)).toBe(EXIT.error);
    expect(h.stderr.text).toContain(want);
  });
});
