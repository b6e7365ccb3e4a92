import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BaseError, UserError } from '../../protocol/errors.js';
import { loadAgentConfig } from '../config.js';
import { DEFAULT_UNIT_DIR, installUnit, uninstallUnit } from './systemd.js';

const USAGE = {
  bundle: `usage: mig agent bundle -o FILE.mjs [--config FILE]
       mig agent bundle --sea -o FILE [--config FILE]

Writes ONE self-contained JavaScript file (an ES module) that runs the agent with plain
\`node FILE.mjs\` on a host with Node 20 or later: no repository, no node_modules. Module workers
and yara's scan workers start the same file; yara's WebAssembly engine is inside it.

  -o, --out FILE    where to write it (must end in .mjs; without .mjs with --sea)
  --sea             one executable instead (Node's SEA: a copy of this node with the bundle in
                    it, ~110 MB): runs as ./FILE on a host of the same OS and CPU, without node
  --config FILE     validate this agent config and bake it in (key files inlined): the bundle
                    then runs without --config. It holds the enrollment secret: written mode 0600.`,
  install: `usage: mig agent install [--config FILE] [--bundle FILE] [--unit-dir DIR] [--dry-run]

Writes a hardened systemd unit, mig-agent.service, that runs the agent as root (hunts read every
file, response modules change firewall rules and accounts), then runs systemctl daemon-reload
and enable --now when systemd runs here. Each protection in the unit is explained in a comment.

  --bundle FILE     a single-file agent (mig agent bundle) to run: node FILE [--config FILE]
  --config FILE     agent config (needed without --bundle, or with a bundle that has none baked);
                    its dataDir is the only path the unit lets the agent write
  --unit-dir DIR    default ${DEFAULT_UNIT_DIR}
  --dry-run         write the unit only, print the systemctl commands instead of running them`,
  uninstall: `usage: mig agent uninstall [--unit-dir DIR] [--dry-run]

Stops and disables mig-agent.service (systemctl disable --now), removes the unit file and
reloads systemd. The agent's dataDir (its identity and journals) is left in place.`,
};

type Tool = keyof typeof USAGE;

/** `mig agent bundle|install|uninstall`: prints what it did on stderr, one line each. */
export async function runAgentToolCli(
  tool: string,
  argv: string[],
  stderr: Pick<NodeJS.WriteStream, 'write'>,
): Promise<number> {
  const usage = USAGE[tool as Tool];
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string', short: 'o' },
        config: { type: 'string' },
        bundle: { type: 'string' },
        'unit-dir': { type: 'string' },
        'dry-run': { type: 'boolean' },
        sea: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
    if (values.help === true) {
      stderr.write(`${usage}\n`);
      return 0;
    }
    const allowed: Record<Tool, string[]> = {
      bundle: ['out', 'config', 'sea'],
      install: ['config', 'bundle', 'unit-dir', 'dry-run'],
      uninstall: ['unit-dir', 'dry-run'],
    };
    const stray = Object.keys(values).filter((k) => !allowed[tool as Tool].includes(k));
    if (stray.length > 0)
      throw new UserError(
        'BAD_REQUEST',
        `mig agent ${tool}: --${stray[0]} is not an option of this command`,
        `see mig agent ${tool} --help`,
      );
    const unitDir = values['unit-dir'] ?? DEFAULT_UNIT_DIR;
    const isDryRun = values['dry-run'] === true;
    let done: string[];
    if (tool === 'bundle') {
      if (values.out === undefined)
        throw new UserError('BAD_REQUEST', 'mig agent bundle: -o FILE.mjs is required', 'see mig agent bundle --help');
      const { buildAgentBundle } = await import('./build.js');
      const report = await buildAgentBundle({
        outFile: values.out,
        sea: values.sea === true,
        ...(values.config === undefined ? {} : { configFile: values.config }),
      });
      const run = report.isSea ? report.outFile : `node ${report.outFile}`;
      done = [
        `wrote ${report.outFile} (${(report.bytes / 1024 / 1024).toFixed(1)} MB, mode ${report.mode.toString(8)})`,
        report.hasBakedConfig
          ? `config baked in: the file holds the enrollment secret, keep it mode ${report.mode.toString(8)} and ship it like a key; run it with: ${run}`
          : `no config baked in: run it with: ${run} --config FILE`,
      ];
    } else if (tool === 'install') {
      done = await install(values.config, values.bundle, unitDir, isDryRun);
    } else {
      done = uninstallUnit({ unitDir, isDryRun });
    }
    for (const line of done) stderr.write(`${line}\n`);
    return 0;
  } catch (err) {
    stderr.write(`${formatError(err)}\n${usage}\n`);
    return err instanceof UserError && err.code === 'BAD_REQUEST' ? 2 : 1;
  }
}

async function install(
  configFile: string | undefined,
  bundleFile: string | undefined,
  unitDir: string,
  isDryRun: boolean,
): Promise<string[]> {
  if (configFile === undefined && bundleFile === undefined) {
    throw new UserError(
      'BAD_REQUEST',
      'mig agent install: expected --config FILE, --bundle FILE, or both',
      'see mig agent install --help',
    );
  }
  const config = configFile === undefined ? undefined : await loadAgentConfig(configFile);
  const bundle = bundleFile === undefined ? undefined : resolve(bundleFile);
  const dataDir = config?.dataDir ?? (await bakedDataDir(bundle as string));
  const configArgs = configFile === undefined ? [] : ['--config', resolve(configFile)];
  const execStart =
    bundle !== undefined
      ? [...runBundle(bundle), ...configArgs]
      : [process.execPath, resolve(process.argv[1] ?? 'bin/mig.js'), 'agent', ...configArgs];
  return installUnit({
    execStart,
    dataDir,
    unitDir,
    isDryRun,
    ...(config?.allowedModules === undefined ? {} : { allowedModules: config.allowedModules }),
  });
}

/** How a bundle runs: `node FILE.mjs`, or a single executable (mig agent bundle --sea) by itself. */
function runBundle(bundle: string): string[] {
  return bundle.endsWith('.mjs') ? [process.execPath, bundle] : [bundle];
}

/** A bundle with a baked config knows its dataDir: it prints it with --print-data-dir. */
async function bakedDataDir(bundle: string): Promise<string> {
  const { execFileSync } = await import('node:child_process');
  const [program = bundle, ...args] = runBundle(bundle);
  try {
    return execFileSync(program, [...args, '--print-data-dir'], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new UserError(
      'BAD_REQUEST',
      `mig agent install: ${bundle} has no baked config (or cannot run): pass --config FILE`,
      'see mig agent install --help',
      { cause: err },
    );
  }
}

/** As agent/cli.ts prints errors (not imported from there: that file loads this one). */
function formatError(err: unknown): string {
  if (err instanceof UserError) return `error ${err.code}: ${err.message}${err.hint ? `\nhint: ${err.hint}` : ''}`;
  if (err instanceof BaseError) return `error ${err.code}: ${err.message}`;
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}
