import type { AnyModuleSpec } from '../../../../protocol/module-spec.js';
import { isolateModule } from '../state/fake-modules.js';

/**
 * Test-only stand-in for a response module, named like one the server holds for approval
 * (RESPONSE_MODULES): the CLI tests do not depend on the real firewall module's flags. The same
 * stand-in the console view tests use (test/helpers/console/state/fake-modules.ts).
 */
export const firewallTestModule = isolateModule;

export const responseTestModules: ReadonlyMap<string, AnyModuleSpec> = new Map([['firewall', firewallTestModule]]);
