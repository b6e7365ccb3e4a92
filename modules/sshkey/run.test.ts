import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOperationsLocally } from '../../test/helpers/modules/agent-side.js';
import { makeTree, removeTree } from '../../test/helpers/modules/search-tree.js';
import { runThroughAgent } from '../../test/helpers/modules/pkg.js';
import { recordingContext } from '../../test/helpers/modules/recording.js';
import { runSshkey } from './run.js';
import { sshkeyModule, sshkeyParams } from './spec.js';
import { nodeKeys, opensshEd25519File, type NodeKey } from '../../test/helpers/modules/sshkey.js';

const user = nodeKeys();
const host = nodeKeys();
const pem = (key: NodeKey, type: 'pkcs1' | 'pkcs8' | 'sec1', passphrase?: string): string =>
  key.privateKey
    .export({ type, format: 'pem', ...(passphrase === undefined ? {} : { cipher: 'aes-128-cbc', passphrase }) })
    .toString();

let root: string;
beforeAll(() => {
  root = makeTree({
    '/etc/passwd':
      'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\ngit:x:998:998::/srv/git:/usr/bin/git-shell\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\nbroken line\n',
    '/root/.ssh/authorized_keys': `# admins\ncommand="/usr/bin/backup --only, this",no-pty ${user.rsa.publicLine('backup@vault')}\n\nssh-ed25519 !!!\n`,
    '/home/alice/.ssh/id_ed25519': opensshEd25519File(user.ed25519, 'alice@laptop'),
    '/home/alice/.ssh/id_ed25519.pub': `${user.ed25519.publicLine('alice@laptop')}\n`,
    '/home/alice/.ssh/id_rsa': pem(user.rsa, 'pkcs1', 'secret words'),
    '/home/alice/.ssh/id_backup': 'this was a key once\n',
    '/home/alice/.ssh/known_hosts': `github.com ${host.p256.publicLine('')}\n`,
    '/home/alice/.ssh/config': 'Host *\n  IdentitiesOnly yes\n',
    '/srv/git/.ssh/authorized_keys2': `${user.p256.publicLine('ci@runner')}\n`,
    '/Users/bob/.ssh/id_ecdsa': pem(user.p384, 'sec1'),
    '/srv/shared/team.pub': user.ed25519.publicLine('alice@laptop'),
    '/home/carol/.ssh': { symlink: '/srv/shared' },
    '/home/dave/.ssh': { symlink: '../alice/.ssh' },
    // Resolved inside the root, where it does not exist: the real /etc/hostname is never read.
    '/home/eve/.ssh/authorized_keys': { symlink: '/etc/hostname' },
    '/etc/ssh/ssh_host_ed25519_key': opensshEd25519File(host.ed25519, 'root@server'),
    '/etc/ssh/ssh_host_ed25519_key.pub': host.ed25519.publicLine('root@server'),
    '/etc/ssh/moduli': `# Time Type Tests Tries Size Generator Modulus\n${'20230101000000 2 6 100 2047 2 C0FFEE\n'.repeat(5000)}`,
    '/etc/ssh/sshd_config': 'PermitRootLogin no\n',
    '/opt/keys/deploy.pem': pem(host.rsa, 'pkcs8'),
  });
});
afterAll(() => removeTree(root));

type Row = Record<string, unknown>;
const brief = (rows: readonly Row[]): string[] =>
  rows.map((r) =>
    [r.path, r.kind, r.line, r.type, r.bits, r.fingerprint, r.isEncrypted, r.options, r.comment]
      .filter((v) => v !== undefined)
      .map(String)
      .join(' '),
  );

const ROOT_AUTH = `/root/.ssh/authorized_keys authorized_key 2 ssh-rsa 2048 ${user.rsa.fingerprint} command,no-pty`;
const ALICE_PRIV = `/home/alice/.ssh/id_ed25519 private ssh-ed25519 256 ${user.ed25519.fingerprint} false`;
const ALICE_PUB = `/home/alice/.ssh/id_ed25519.pub public ssh-ed25519 256 ${user.ed25519.fingerprint}`;
const ALICE_RSA = '/home/alice/.ssh/id_rsa private ssh-rsa true';
const GIT_AUTH = `/srv/git/.ssh/authorized_keys2 authorized_key 1 ecdsa-sha2-nistp256 256 ${user.p256.fingerprint} `;
const CAROL_PUB = `/home/carol/.ssh/team.pub public ssh-ed25519 256 ${user.ed25519.fingerprint}`;
const BOB_PRIV = `/Users/bob/.ssh/id_ecdsa private ecdsa-sha2-nistp384 384 ${user.p384.fingerprint} false`;
const HOST_PRIV = `/etc/ssh/ssh_host_ed25519_key private ssh-ed25519 256 ${host.ed25519.fingerprint} false`;
const HOST_PUB = `/etc/ssh/ssh_host_ed25519_key.pub public ssh-ed25519 256 ${host.ed25519.fingerprint}`;
const DEPLOY = `/opt/keys/deploy.pem private ssh-rsa 2048 ${host.rsa.fingerprint} false`;
const EVERYWHERE = [ROOT_AUTH, ALICE_PRIV, ALICE_PUB, ALICE_RSA, GIT_AUTH, CAROL_PUB, BOB_PRIV, HOST_PRIV, HOST_PUB];
const WARNINGS = [
  '/root/.ssh/authorized_keys:4: the ssh-ed25519 key is not base64',
  '/home/alice/.ssh/id_backup: named like a private key but not in a format this module reads (OpenSSH or PEM)',
];

describe('sshkey through the agent runner', () => {
  it.each([
    {
      name: 'every home (passwd, /root, /home, /Users), /etc/ssh; symlinked .ssh once',
      params: {},
      want: EVERYWHERE,
      wantErrors: WARNINGS,
    },
    {
      name: 'comments only when asked',
      params: { comment: true },
      want: [
        `${ROOT_AUTH} backup@vault`,
        `${ALICE_PRIV} alice@laptop`,
        `${ALICE_PUB} alice@laptop`,
        ALICE_RSA,
        `${GIT_AUTH} ci@runner`,
        `${CAROL_PUB} alice@laptop`,
        BOB_PRIV,
        `${HOST_PRIV} root@server`,
        `${HOST_PUB} root@server`,
      ],
      wantErrors: WARNINGS,
    },
    {
      name: 'one fingerprint, wherever it is',
      params: { fingerprints: [user.ed25519.fingerprint] },
      want: [ALICE_PRIV, ALICE_PUB, CAROL_PUB],
      wantErrors: WARNINGS,
    },
    {
      name: 'an absent fingerprint',
      params: { fingerprints: [`SHA256:${'A'.repeat(43)}`] },
      want: [],
      wantErrors: WARNINGS,
    },
    {
      name: 'by type',
      params: { types: ['ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp256'] },
      want: [GIT_AUTH, BOB_PRIV],
      wantErrors: WARNINGS,
    },
    {
      name: 'an extra directory',
      params: { paths: ['/opt/keys'], types: ['ssh-rsa'] },
      want: [ROOT_AUTH, ALICE_RSA, DEPLOY],
      wantErrors: WARNINGS,
    },
    {
      name: 'an extra file',
      params: { paths: ['/opt/keys/deploy.pem'], fingerprints: [host.rsa.fingerprint] },
      want: [DEPLOY],
      wantErrors: WARNINGS,
    },
  ])('$name', async ({ params, want, wantErrors }) => {
    const result = await runThroughAgent(sshkeyModule, runSshkey, params, root);
    expect(result.error).toBeUndefined();
    expect(brief(result.rows)).toEqual(want);
    expect(result.errors).toEqual(wantErrors);
    for (const row of result.rows) expect(sshkeyModule.result.safeParse(row).success).toBe(true);
    // Key material never leaves: no row holds a base64 run longer than a fingerprint.
    expect(JSON.stringify(result.rows)).not.toMatch(/[A-Za-z0-9+/]{60}/);
  });

  it('privacy mode masks comments', async () => {
    const [result] = await runOperationsLocally(
      [{ module: 'sshkey', parameters: { comment: true, paths: ['/opt/keys'] } }],
      {
        root,
        isPrivacyMode: true,
        specs: new Map([['sshkey', sshkeyModule]]),
        runners: new Map([['sshkey', runSshkey]]),
        platform: 'linux',
      },
    );
    const comments = result?.rows.filter((r) => r.comment !== undefined).map((r) => r.comment);
    expect(comments).toEqual(Array<string>(7).fill('***'));
  });

  it('counts files examined and keys found', async () => {
    const result = await runThroughAgent(sshkeyModule, runSshkey, {}, root);
    expect(result.stats).toMatchObject({ filesExamined: 14, keysFound: 9 });
  });

  it('stops at the abort', async () => {
    const rec = recordingContext(root);
    const rows: unknown[] = [];
    for await (const row of runSshkey(sshkeyParams.parse({}), rec.ctx)) {
      rows.push(row);
      rec.controller.abort();
    }
    expect(rows).toHaveLength(1);
  });
});
