/**
 * The entry point of a single-file agent (`mig agent bundle`, agent/bundle/build.ts). esbuild
 * bundles this file and everything it reaches into one ES module, so this same file is what the
 * agent's module worker threads start too: started as a worker with the module-worker role, it
 * runs the module worker; started by `node FILE`, it runs `mig agent`. Nothing else here: the
 * agent's own code is imported lazily, so a worker does not evaluate the MQTT client or journals.
 */
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { isMainThread, workerData } from 'node:worker_threads';

/** Set by build.ts (esbuild `define`): the config JSON text baked in, or undefined. */
declare const MIG_BAKED_CONFIG: string | undefined;
/** Set by build.ts: the package version the bundle was built from. */
declare const MIG_BUNDLE_VERSION: string;

/** workerData.role of a module worker started from this file. */
const MODULE_WORKER_ROLE = 'mig-module-worker';
/** workerData.role of a yara scan worker started from this file (modules/yara/session.ts). */
const YARA_SCAN_ROLE = 'mig-yara-scan-worker';
/** workerData.role of a file content thread started from this file (modules/shared/search/content-pool.ts). */
const CONTENT_SCAN_ROLE = 'mig-content-scan-worker';

/**
 * Modules that cannot run from one file, and why: none today. yara's WebAssembly engine travels
 * inside the file (build.ts embeds it) and its scan worker starts from this file too. A module
 * listed here is not registered, so the heartbeat does not advertise it and an action asking
 * for it is refused with UNKNOWN_MODULE before anything runs.
 */
export const UNAVAILABLE_IN_BUNDLE: ReadonlyMap<string, string> = new Map();

const USAGE = `usage: node FILE [--config FILE] [--verbose]

A single-file MIG agent (built by \`mig agent bundle\`, version ${MIG_BUNDLE_VERSION}): connects to the
MQTT broker named in its config, verifies every signed action it receives, runs the module and
answers. Stops cleanly on SIGINT or SIGTERM; exits 3 after a signed agentdestroy.

  --config FILE   agent config (JSON); ${MIG_BAKED_CONFIG === undefined ? 'required: none is baked into this file' : 'optional: one is baked into this file, FILE replaces it'}
  --verbose       debug logs too
  --help          this text

       node FILE install [--config FILE] [--unit-dir DIR] [--dry-run]
       node FILE uninstall [--unit-dir DIR] [--dry-run]
Writes (removes) a hardened systemd unit that runs this file, and enables (disables) it:
\`mig agent install --help\` on a host with the repository says more.${
  UNAVAILABLE_IN_BUNDLE.size === 0
    ? ''
    : `\n\nNot in this file: ${[...UNAVAILABLE_IN_BUNDLE].map(([name, why]) => `${name} (${why})`).join('; ')}.`
}`;

const role = isMainThread ? undefined : (workerData as { role?: unknown } | null)?.role;
if (role === MODULE_WORKER_ROLE) {
  await useBundledScanWorker();
  await import('../worker/module-worker.js');
} else if (role === YARA_SCAN_ROLE) {
  await import('../../modules/yara/scan-worker.mjs');
} else if (role === CONTENT_SCAN_ROLE) {
  await import('../../modules/shared/search/content-worker.js');
} else if (!isMainThread) {
  throw new Error(`this agent bundle was started as a worker thread without a known role (${String(role)})`);
} else {
  process.exitCode = await runBundledAgent(process.argv.slice(2));
}

/** yara's scan worker and the file module's content threads are this file too: nothing else lies beside a bundle. */
async function useBundledScanWorker(): Promise<void> {
  const [{ useScanWorkerScript }, { useContentWorkerScript }] = await Promise.all([
    import('../../modules/yara/session.js'),
    import('../../modules/shared/search/content-pool.js'),
  ]);
  useScanWorkerScript({ url: new URL(import.meta.url), data: { role: YARA_SCAN_ROLE } });
  useContentWorkerScript({ url: new URL(import.meta.url), data: { role: CONTENT_SCAN_ROLE } });
}

/** Set by the single executable's launcher (agent/bundle/sea.ts): the executable, not the extracted module. */
function seaExecutable(): string | undefined {
  const exe = (globalThis as Record<symbol, unknown>)[Symbol.for('mig.seaExecutable')];
  return typeof exe === 'string' ? exe : undefined;
}

async function runBundledAgent(argv: string[]): Promise<number> {
  // What the unit runs and what a baked config's relative paths are relative to.
  const here = seaExecutable() ?? fileURLToPath(import.meta.url);
  if (argv[0] === 'install' || argv[0] === 'uninstall') {
    // On the target host there is no `mig`: the file installs itself as the unit's program.
    const { runAgentToolCli } = await import('./cli.js');
    const rest = argv.slice(1);
    return runAgentToolCli(
      argv[0],
      argv[0] === 'install' && !rest.includes('--bundle') ? ['--bundle', here, ...rest] : rest,
      process.stderr,
    );
  }
  const [{ useWorkerScript }, { runAgentCli }, { moduleSpecs }, config, { useAgentVersion }] = await Promise.all([
    import('../worker/entry.js'),
    import('../cli.js'),
    import('../../modules/registry.js'),
    import('../config.js'),
    import('../facts.js'),
  ]);
  // Heartbeats and enrollment say which build runs: there is no package.json beside this file.
  useAgentVersion(MIG_BUNDLE_VERSION);
  useWorkerScript({ url: new URL(import.meta.url), data: { role: MODULE_WORKER_ROLE } });
  await useBundledScanWorker();
  const specs = new Map([...moduleSpecs].filter(([name]) => !UNAVAILABLE_IN_BUNDLE.has(name)));
  const baked = MIG_BAKED_CONFIG;
  const bakedConfig =
    baked === undefined
      ? undefined
      : () => {
          // Relative paths in a baked config (dataDir, TLS files) are relative to this file's directory.
          const parsed = config.parseAgentConfig(JSON.parse(baked) as unknown, { baseDir: dirname(here) });
          config.checkReadable(parsed);
          return parsed;
        };
  // For `mig agent install --bundle FILE`: the one path the systemd unit lets the agent write.
  if (argv.length === 1 && argv[0] === '--print-data-dir' && bakedConfig !== undefined) {
    process.stdout.write(`${bakedConfig().dataDir}\n`);
    return 0;
  }
  if (!argv.includes('--help'))
    for (const [name, why] of UNAVAILABLE_IN_BUNDLE)
      process.stderr.write(
        `${new Date().toISOString()} info  module ${name} unavailable in this single-file agent: ${why}\n`,
      );
  return runAgentCli(argv, undefined, {
    usage: USAGE,
    ...(bakedConfig === undefined ? {} : { bakedConfig }),
    start: { specs },
  });
}
