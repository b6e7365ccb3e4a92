import { afterEach, describe, expect, it } from 'vitest';
import { BaseError } from '../../protocol/errors.js';
import { recordingContext } from '../../test/helpers/modules/recording.js';
import { runFirewall } from './run.js';
import { firewallParams } from './spec.js';

/** What the module says when it cannot work at all; no privileges needed (the tools are not even found). */
const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

async function failure(params: Record<string, unknown>, abort = false): Promise<BaseError> {
  const rec = recordingContext('/');
  if (abort) rec.controller.abort();
  const rows: unknown[] = [];
  try {
    for await (const row of runFirewall(firewallParams.parse(params), rec.ctx)) rows.push(row);
  } catch (err) {
    expect(rows).toEqual([]);
    expect(rec.journal).toEqual([]);
    return err as BaseError;
  }
  throw new Error('expected the firewall module to fail');
}

describe('runFirewall without a usable firewall tool', () => {
  it.each([
    {
      name: 'auto: neither backend works',
      input: { op: 'list' },
      want: /^firewall: no usable backend \(nft is not installed; iptables is not installed\); install nftables/,
    },
    {
      name: 'nft asked for',
      input: { op: 'add', port: 22, backend: 'nft' },
      want: /^firewall: backend nft asked for, but nft is not installed/,
    },
    {
      name: 'iptables asked for',
      input: { op: 'add', port: 22, backend: 'iptables' },
      want: /^firewall: no usable backend \(iptables is not installed\)/,
    },
  ])('$name', async ({ input, want }) => {
    process.env.PATH = '/nonexistent';
    const err = await failure(input);
    expect(err.code).toBe('MODULE_FAILED');
    expect(err.message).toMatch(want);
  });

  it('an aborted operation runs no tool and reports nothing', async () => {
    const err = await failure({ op: 'add', port: 22 }, true);
    expect(err).toBeInstanceOf(BaseError);
  });
});
