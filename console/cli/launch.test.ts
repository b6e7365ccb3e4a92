import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalActionBytes } from '../../protocol/canonical.js';
import { Keyring, verifyAll } from '../../protocol/signature.js';
import { armoredPublicKey, fingerprint } from '../../test/helpers/keys.js';
import type { FakeApi } from '../../test/helpers/console/services/fake-api.js';
import { EXIT } from './main.js';
import { fileHit, fileMiss, serveFleet, type FakeAgentAnswer } from '../../test/helpers/console/cli/fake-actions.js';
import {
  installIdentity,
  startCliOnServer,
  stopCliOnServer,
  type Harness,
} from '../../test/helpers/console/cli/harness.js';

const hit = (path: string) => fileHit(path);
const miss = fileMiss();

const answers: FakeAgentAnswer[] = [
  { agentId: 'agent-a', agentName: 'host-a', status: 'success', operations: [hit('/etc/passwd')] },
  { agentId: 'agent-b', agentName: 'host-b', status: 'success', operations: [miss] },
  { agentId: 'agent-c', agentName: 'host-c', status: 'failed' },
];

describe('mig file against a server', () => {
  let api: FakeApi;
  let h: Harness;
  let aliceFp: string;
  beforeEach(async () => {
    ({ api, h } = await startCliOnServer());
    aliceFp = await fingerprint('alice');
  });
  afterEach(() => stopCliOnServer({ api, h }));

  it.each([
    { name: 'answers by polling', viaEvents: false },
    { name: 'answers by live events', viaEvents: true },
  ])('signs, counts, launches and renders each answer once ($name)', async ({ viaEvents }) => {
    const fleet = serveFleet(api, { answers, fingerprint: aliceFp, viaEvents, isImmediate: !viaEvents });
    if (viaEvents) setTimeout(() => fleet.finish(), 300);
    const status = await h.run(['file', '-path', '/etc', '-name', '^passwd$', '-t', "os = 'linux'", '-e', '2h']);
    expect(h.stderr.text).not.toContain('mig:');
    expect(status).toBe(EXIT.found);
    expect(h.stdout.text).toBe('host-a /etc/passwd\n');
    expect(h.stderr.text).toContain('3 agents match the target (3 online, 0 idle, 0 offline)');
    expect(h.stderr.text).toMatch(/3 agents targeted · 3 answered · 1 found · 1 failed · 0 expired · \d+\.\ds/);

    const [posted] = fleet.posted;
    if (posted === undefined) throw new Error('nothing posted');
    expect(posted.target).toBe("os = 'linux'");
    expect(posted.operations).toEqual([{ module: 'file', parameters: expect.objectContaining({}) }]);
    expect(Date.parse(posted.expireAfter) - Date.parse(posted.validFrom)).toBe(2 * 3_600_000);
    const ring = await Keyring.fromArmored([armoredPublicKey('alice')]);
    expect(await verifyAll(canonicalActionBytes(posted), posted.signatures, ring)).toEqual([aliceFp]);
  });

  it('-show all prints not-found agents and failures too', async () => {
    serveFleet(api, { answers, fingerprint: aliceFp });
    const status = await h.run(['file', '-path', '/etc', '-name', 'x', '-t', 'all', '-show', 'all']);
    expect(status).toBe(EXIT.found);
    const lines = h.stdout.text.trim().split('\n').sort();
    expect(lines).toEqual([
      'host-a /etc/passwd',
      'host-b nothing found',
      expect.stringMatching(/^host-c error FAILED/),
    ]);
  });

  it('without -t targets online agents and says so', async () => {
    const fleet = serveFleet(api, { answers: [answers[1] as FakeAgentAnswer], fingerprint: aliceFp });
    const status = await h.run(['file', '-path', '/etc', '-name', 'x']);
    expect(status).toBe(EXIT.notFound);
    expect(h.stderr.text).toContain("no -t given: targeting every online agent (status = 'online')");
    expect(fleet.posted[0]?.target).toBe("status = 'online'");
  });

  it('no matching agent: says so, launches nothing, exits 1', async () => {
    const fleet = serveFleet(api, { answers: [], fingerprint: aliceFp });
    const status = await h.run(['file', '-path', '/etc', '-name', 'x', '-t', "name = 'nope'"]);
    expect(status).toBe(EXIT.notFound);
    expect(h.stderr.text).toContain('no agent matches the target');
    expect(fleet.posted).toEqual([]);
  });

  it('ctrl+c while the action runs cancels it on the server and exits 130', async () => {
    const fleet = serveFleet(api, { answers, fingerprint: aliceFp, isImmediate: false });
    const running = h.run(['file', '-path', '/etc', '-name', 'x', '-t', 'all']);
    for (let i = 0; i < 500 && fleet.posted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    h.interrupt.abort();
    expect(await running).toBe(EXIT.interrupted);
    expect(fleet.cancelled).toEqual([fleet.posted[0]?.id]);
    expect(h.stderr.text).toContain(`cancelled action ${fleet.posted[0]?.id ?? ''}`);
  });

  it('on a terminal: ctrl+c during the countdown launches nothing and exits 130', async () => {
    h.isTty = true;
    const fleet = serveFleet(api, { answers, fingerprint: aliceFp });
    const running = h.run(['file', '-path', '/etc', '-name', 'x', '-t', 'all']);
    for (let i = 0; i < 500 && !h.stderr.text.includes('launching in 3s'); i++)
      await new Promise((r) => setTimeout(r, 10));
    h.interrupt.abort();
    expect(await running).toBe(EXIT.interrupted);
    expect(h.stderr.text).toContain('cancelled: nothing launched');
    expect(fleet.posted).toEqual([]);
  });

  it('on a terminal with -y: no countdown, a progress bar redrawn in place', async () => {
    h.isTty = true;
    serveFleet(api, { answers, fingerprint: aliceFp });
    expect(await h.run(['file', '-path', '/etc', '-name', 'x', '-t', 'all', '-y'])).toBe(EXIT.found);
    expect(h.stderr.text).not.toContain('launching in');
    expect(h.stderr.text).toContain('\r\u001b[2K[########################] 3/3 done');
  });

  it('server unreachable: exit 2 with the hint', async () => {
    installIdentity(`${h.home}-2`, 'alice', 'http://127.0.0.1:1');
    h.env.MIG_HOME = `${h.home}-2`;
    const status = await h.run(['file', '-path', '/etc', '-name', 'x', '-t', 'all']);
    expect(status).toBe(EXIT.error);
    expect(h.stderr.text).toContain('(SERVER_UNREACHABLE)');
    expect(h.stderr.text).toContain('hint: is http://127.0.0.1:1 the right address, and reachable from here?');
    expect(h.stderr.text).toContain(
      `server: http://127.0.0.1:1 (from serverUrl in ${h.env.MIG_HOME ?? ''}/config.json)`,
    );
  });

  it('the server refusing the action (400 with a code) exits 2 with its message', async () => {
    api.route('GET', /^\/agents\/count$/, () => ({ body: { total: 1, online: 1, idle: 0, offline: 0 } }));
    api.route('POST', /^\/actions$/, () => ({
      status: 400,
      body: { error: { code: 'ACL_WEIGHT_TOO_LOW', message: 'needs two signers' } },
    }));
    const status = await h.run(['file', '-path', '/etc', '-name', 'x', '-t', 'all']);
    expect(status).toBe(EXIT.error);
    expect(h.stderr.text).toContain('mig: needs two signers (ACL_WEIGHT_TOO_LOW)');
  });
});
