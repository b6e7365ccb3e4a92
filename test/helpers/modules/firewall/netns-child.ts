import { runFirewall } from '../../../../modules/firewall/run.js';
import { firewallParams } from '../../../../modules/firewall/spec.js';
import { recordingContext } from '../recording.js';

/**
 * Test-only child: runs the firewall module once, as the agent would (params parsed by the
 * spec's schema), and prints what it reported as one JSON line. The test starts it under
 * `ip netns exec`, so every nft/iptables command it runs acts on the test's own namespace.
 * argv: <params JSON> [<now ISO>]
 */
const [paramsJson = '{}', nowIso] = process.argv.slice(2);
const rec = recordingContext('/', { now: new Date(nowIso ?? '2030-01-01T00:00:00Z') });
const rows: unknown[] = [];
let error: { code?: string; message: string } | undefined;
try {
  for await (const row of runFirewall(firewallParams.parse(JSON.parse(paramsJson)), rec.ctx)) rows.push(row);
} catch (err) {
  error = { code: (err as { code?: string }).code, message: (err as Error).message };
}
process.stdout.write(`${JSON.stringify({ rows, warnings: rec.warnings, journal: rec.journal, error })}\n`);
