// The console's `x` export: a bare or relative name lands in $MIG_HOME/exports (not wherever the
// console happened to start), an absolute path is kept, and the path written is returned.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signedAction } from '../../test/helpers/actions.js';
import { armoredPublicKey, fingerprint, privateKeyPath } from '../../test/helpers/keys.js';
import { serveFleet } from '../../test/helpers/console/cli/fake-actions.js';
import { ApiClient } from './api-client.js';
import { createConsoleBackend } from './console-backend.js';
import { openKeyfileSigner } from './signer.js';
import { startFakeApi, type FakeApi } from '../../test/helpers/console/services/fake-api.js';

describe('console export folder', () => {
  let api: FakeApi;
  let dir: string;
  beforeEach(async () => {
    api = await startFakeApi({ publicKeys: [armoredPublicKey('alice')] });
    dir = mkdtempSync(join(tmpdir(), 'mig-export-'));
  });
  afterEach(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    {
      name: 'a bare name goes to the exports folder',
      path: 'mig-1234.csv',
      want: (d: string) => join(d, 'exports', 'mig-1234.csv'),
    },
    { name: 'an absolute path is kept', path: 'ABS', want: (d: string) => join(d, 'elsewhere', 'r.csv') },
  ])('$name', async ({ path, want }) => {
    const signer = await openKeyfileSigner(privateKeyPath('alice'), () =>
      Promise.reject(new Error('alice has no passphrase')),
    );
    const client = new ApiClient({ serverUrl: api.url, signer, now: () => new Date() });
    const fleet = serveFleet(api, {
      answers: [
        {
          agentId: 'agent-a',
          agentName: 'host-a',
          status: 'success',
          operations: [{ module: 'file', isFound: true, rows: [{ path: '/x' }], stats: {}, errors: [] }],
        },
      ],
      fingerprint: await fingerprint('alice'),
    });
    const action = await signedAction(['alice']);
    await client.createAction(action);
    expect(fleet.posted).toHaveLength(1);
    const backend = createConsoleBackend({
      client,
      signer,
      now: () => new Date(),
      investigator: { name: 'alice', fingerprint: signer.fingerprint, backend: 'keyfile', isAdmin: true },
      exportsDir: join(dir, 'exports'),
    });
    const written = await backend.exportResults(
      action.id,
      'csv',
      path === 'ABS' ? join(dir, 'elsewhere', 'r.csv') : path,
    );
    expect(written).toBe(want(dir));
    expect(readFileSync(written, 'utf8')).toContain('host-a,agent-a,success,true,/x');
    expect(statSync(written).mode & 0o777).toBe(0o600);
  });
});
