import type { ModuleRun } from '../protocol/module-spec.js';
import { runFile } from './file/run.js';
import { runAgentdestroy } from './agentdestroy/run.js';
import { runAccount } from './account/run.js';
import { runProcess } from './process/run.js';
import { runFirewall } from './firewall/run.js';
import { runScribe } from './scribe/run.js';
import { runSshkey } from './sshkey/run.js';
import { runPkg } from './pkg/run.js';
import { runTimedrift } from './timedrift/run.js';
import { runPing } from './ping/run.js';
import { runNetstat } from './netstat/run.js';
import { runYara } from './yara/run.js';
import { runMemory } from './memory/run.js';

/**
 * Agent-only: module name → run function. A test checks it covers every spec in registry.ts.
 * Rows are unknown here on purpose: the runner parses each one through the spec's result schema.
 */
export const moduleRunners: ReadonlyMap<string, ModuleRun<never, unknown>> = new Map<string, ModuleRun<never, unknown>>([
  ['file', runFile as ModuleRun<never, unknown>],
  ['agentdestroy', runAgentdestroy as ModuleRun<never, unknown>],
  ['account', runAccount as ModuleRun<never, unknown>],
  ['process', runProcess as ModuleRun<never, unknown>],
  ['firewall', runFirewall as ModuleRun<never, unknown>],
  ['scribe', runScribe as ModuleRun<never, unknown>],
  ['sshkey', runSshkey as ModuleRun<never, unknown>],
  ['pkg', runPkg as ModuleRun<never, unknown>],
  ['timedrift', runTimedrift as ModuleRun<never, unknown>],
  ['ping', runPing as ModuleRun<never, unknown>],
  ['netstat', runNetstat as ModuleRun<never, unknown>],
  ['yara', runYara as ModuleRun<never, unknown>],
  ['memory', runMemory as ModuleRun<never, unknown>],
]);
