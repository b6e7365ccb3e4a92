// Child of scripts/agent-cpu.ts: one real agent (startAgent, journals on disk, module workers),
// running the test-only probe module so that what is measured is the agent's command path.
import { readFileSync } from 'node:fs';
import { parseAgentConfig } from '../agent/config.js';
import { startAgent } from '../agent/start.js';
import { tuneV8ForAgent } from '../agent/v8-tuning.js';
import { setFastVerification } from '../protocol/signature.js';
import { probeRunners, probeSpecs, runProbe } from '../test/helpers/agent/probe.js';

const config = parseAgentConfig(JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')), {
  knownModules: [...probeSpecs.keys()],
});
// MIG_AGENT_CPU_LOCAL=1: the probe runs on the agent's thread (no worker round trip), for comparison.
const runners = process.env.MIG_AGENT_CPU_LOCAL === '1' ? new Map([['probe', runProbe]]) : probeRunners;
// MIG_AGENT_CPU_SLOW_VERIFY=1: every signature through openpgp's packets (no fast path), for A/B.
if (process.env.MIG_AGENT_CPU_SLOW_VERIFY === '1') setFastVerification(false);
// As `mig agent` does (agent/cli.ts); MIG_AGENT_CPU_V8_DEFAULT=1 keeps V8's defaults, for A/B.
if (process.env.MIG_AGENT_CPU_V8_DEFAULT !== '1') tuneV8ForAgent();
const agent = await startAgent(config, { specs: probeSpecs, runners, platform: 'linux' });
process.on('SIGTERM', () => void agent.close().then(() => process.exit(0)));
