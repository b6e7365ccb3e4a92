import { runOperationsLocally } from '../../../../agent/runner.js';
import type { AnyModuleSpec } from '../../../../protocol/module-spec.js';
import { makeRunSniffer } from '../../../../modules/sniffer/run.js';
import { snifferModule } from '../../../../modules/sniffer/spec.js';
import { TCPDUMP_PATHS } from '../../../../modules/sniffer/tcpdump.js';

/**
 * Test-only child: runs the sniffer module once through the agent's runner (parameters parsed,
 * privacy filter and caps applied, as an agent answers) and prints the result as one JSON line on
 * stdout. The module's log goes to stderr at once, so the test sees tcpdump's "listening on"
 * line and starts its traffic only then. The test starts it under `ip netns exec`, so the capture
 * sees the test namespace's interfaces only.
 * argv: <params JSON> [<options JSON: {uid, gid, tcpdumpPaths, abortOnListening}>]
 */
const [paramsJson = '{}', optionsJson = '{}'] = process.argv.slice(2);
const { abortOnListening, ...deps } = JSON.parse(optionsJson) as {
  uid?: number;
  gid?: number;
  tcpdumpPaths?: string[];
  /** Cancel the operation as soon as tcpdump listens, as an investigator's cancel would. */
  abortOnListening?: boolean;
};
const run = makeRunSniffer({ ...deps, tcpdumpPaths: deps.tcpdumpPaths ?? TCPDUMP_PATHS });
const controller = new AbortController();
const specs = new Map<string, AnyModuleSpec>([['sniffer', snifferModule]]);
const runners = new Map([['sniffer', run]]);
try {
  const [result] = await runOperationsLocally(
    [{ module: 'sniffer', parameters: JSON.parse(paramsJson) as Record<string, unknown> }],
    {
      root: '/',
      specs,
      runners,
      platform: 'linux',
      signal: controller.signal,
      log: (_level, message) => {
        process.stderr.write(`${message}\n`);
        if (abortOnListening === true && message.includes('listening on')) controller.abort();
      },
    },
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (err) {
  process.stdout.write(
    `${JSON.stringify({ thrown: { code: (err as { code?: string }).code, message: String(err) } })}\n`,
  );
}
