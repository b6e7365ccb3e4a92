import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, removeTree } from '../../test/helpers/modules/search-tree.js';
import { runThroughAgent } from '../../test/helpers/modules/pkg.js';
import { runSshkey } from './run.js';
import { EXTRA_PATH_DEPTH, sshkeyModule } from './spec.js';
import { nodeKeys } from '../../test/helpers/modules/sshkey.js';

/** `-path` descends EXTRA_PATH_DEPTH levels, so a home root outside /home and /etc/passwd finds every user's keys. */

const keys = nodeKeys();
let root: string;
beforeAll(() => {
  root = makeTree({
    // No passwd entry for these users: only -path can find them.
    '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n',
    '/export/home/zoe/.ssh/authorized_keys': `${keys.ed25519.publicLine('zoe@desk')}\n`,
    '/export/home/yan/.ssh/id_rsa.pub': `${keys.rsa.publicLine('yan@desk')}\n`,
    '/export/home/yan/notes.txt': 'not a key\n',
    // Depth 4 below the path: past the bound.
    '/export/home/deep/a/b/c/too_deep.pub': `${keys.p256.publicLine('deep')}\n`,
    // A directory symlink inside the descent is not followed (it would loop back to the path).
    '/export/home/zoe/.ssh/back': { symlink: '/export/home' },
    '/elsewhere/.ssh/authorized_keys': `${keys.p384.publicLine('elsewhere')}\n`,
    '/export/home/away': { symlink: '/elsewhere' },
  });
});
afterAll(() => removeTree(root));

async function paths(params: Record<string, unknown>): Promise<string[]> {
  const result = await runThroughAgent(sshkeyModule, runSshkey, params, root);
  expect(result.error).toBeUndefined();
  return result.rows.map((r) => `${String(r.path)} ${String(r.type)}`).sort();
}

describe('sshkey -path descends a bounded depth', () => {
  it('documents its bound', () => {
    expect(EXTRA_PATH_DEPTH).toBe(3);
    expect(sshkeyModule.params.shape.paths.description).toContain(`${EXTRA_PATH_DEPTH} levels`);
  });

  it("a home root finds every user's keys, once, and not past the bound or through directory symlinks", async () => {
    expect(await paths({ paths: ['/export/home'] })).toEqual([
      '/export/home/yan/.ssh/id_rsa.pub ssh-rsa',
      '/export/home/zoe/.ssh/authorized_keys ssh-ed25519',
    ]);
  });

  it('without -path those homes are not searched', async () => {
    expect(await paths({})).toEqual([]);
  });

  it('a deeper path reaches what was past the bound', async () => {
    expect(await paths({ paths: ['/export/home/deep'] })).toEqual([
      '/export/home/deep/a/b/c/too_deep.pub ecdsa-sha2-nistp256',
    ]);
  });

  it('a path that is itself a symlink is followed, as before', async () => {
    expect(await paths({ paths: ['/export/home/away'] })).toEqual([
      '/export/home/away/.ssh/authorized_keys ecdsa-sha2-nistp384',
    ]);
  });
});
