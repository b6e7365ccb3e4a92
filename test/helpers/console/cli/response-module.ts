import { z } from 'zod';
import { defineModule, type AnyModuleSpec } from '../../../../protocol/module-spec.js';

const params = z.object({ reason: z.string().min(1).describe('why the host is cut off') });

/**
 * Test-only stand-in for a response module, named like one the server holds for approval
 * (RESPONSE_MODULES): the CLI tests do not depend on the real firewall module's flags.
 */
export const firewallTestModule = defineModule({
  name: 'firewall',
  version: '0.0.1',
  summary: 'test-only response module',
  platforms: ['linux'],
  params,
  result: z.strictObject({ done: z.boolean() }),
  columns: [{ key: 'done', header: 'Done' }],
  cli: { schema: params, flags: {}, toParams: (v) => v },
  privacy: { leaves: ['done'], sensitive: [], maxRows: 1, maxBytes: 64 },
  limits: { timeoutMs: 1000 },
  examples: [],
});

export const responseTestModules: ReadonlyMap<string, AnyModuleSpec> = new Map([['firewall', firewallTestModule]]);
