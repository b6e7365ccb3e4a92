import { accessSync, constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { CLOCK_SKEW } from '../protocol/limits.js';
import { AclSchema } from '../protocol/acl.js';
import { AgentTagsSchema } from '../protocol/enrollment.js';
import { UserError } from '../protocol/errors.js';
import { describeIssues } from '../protocol/zod-issues.js';
import { moduleSpecs } from '../modules/registry.js';
import { ExecSettingsSchema } from '../modules/exec/settings.js';
import { WatchdogConfigSchema } from './watchdog.js';

const CONFIG_HINT =
  'fix the field named above in the agent config file (JSON); see agent/config.ts for every field and default';

const FilePath = z.string().min(1, 'expected a file path');

const InvestigatorSchema = z
  .strictObject({
    name: z.string().min(1).max(256).describe('who this key belongs to, for logs'),
    publicKey: z.string().min(1).optional().describe('armored OpenPGP public key'),
    publicKeyFile: FilePath.optional().describe('path to an armored OpenPGP public key (relative to the config file)'),
  })
  .refine((inv) => (inv.publicKey === undefined) !== (inv.publicKeyFile === undefined), {
    message: 'expected exactly one of publicKey (armored text) or publicKeyFile (a path)',
  });

/**
 * Keys of the admins who sign policy bundles (protocol/policy.ts) and how many of them must
 * sign. Without it the agent keeps its baked investigators and ACL and refuses every bundle.
 */
const AdminsSchema = z
  .strictObject({
    keys: z.array(InvestigatorSchema).min(1, 'expected at least one admin key').max(32),
    threshold: z.number().int().min(1).max(32).default(1).describe('distinct admin signatures a policy bundle needs'),
  })
  .refine((a) => a.threshold <= a.keys.length, { message: 'threshold is more than the number of admin keys' });

/** Simulated host facts for tests and demos: each field replaces what the agent would detect. */
export const EnvironmentOverrideSchema = z.strictObject({
  os: z.string().min(1).max(32).optional(),
  arch: z.string().min(1).max(32).optional(),
  version: z.string().min(1).max(64).optional(),
  ident: z.string().max(256).optional(),
  init: z.string().max(64).optional(),
  hostname: z.string().max(256).optional(),
  addresses: z.array(z.string().max(64)).max(64).optional(),
});
export type EnvironmentOverride = z.infer<typeof EnvironmentOverrideSchema>;

/**
 * The agent config file. Defaults: name = hostname, heartbeatMs 5 min, moduleTimeoutMs 5 min
 * (a module's own limits.timeoutMs wins when lower), maxConcurrent 2 commands (and as many
 * module worker threads), moduleMemoryMb 512 per module worker thread, root '/',
 * maxClockSkewMs 60 s, privacyMode off, tags {}, acl = defaultAcl(every investigator's
 * fingerprint) (weight 1 each; response modules need 2), allowedModules = every registered module,
 * moduleSettings {} (exec runs no program until moduleSettings.exec.programs lists it).
 */
/**
 * How often an agent heartbeats unless its config says otherwise (jittered,
 * agent/heartbeat-timer.ts): every 5 minutes, as MIG's agents do. A heartbeat carries the
 * agent's facts; whether it is there at all is its MQTT session's business: a closed
 * connection publishes its will at once, a silent one after 1.5 keepalives (AGENT_KEEPALIVE_S,
 * 90 s), whatever this interval. Each heartbeat costs the server ~5 times what a keepalive ping
 * does (doc/performance.md, issue 12 session 5): at 30 s, 10,000 agents cost it 10-15 % of a core.
 */
export const DEFAULT_HEARTBEAT_MS = 300_000;

export const AgentConfigSchema = z.strictObject({
  brokerUrl: z
    .string()
    .regex(/^mqtts?:\/\/[^/\s]+\/?$/, 'expected mqtt://host:port or mqtts://host:port')
    .describe('where the MQTT broker listens'),
  enrollmentSecret: z
    .string()
    .min(1, 'expected the fleet enrollment secret')
    .describe('MQTT password shared by the fleet'),
  tls: z
    .strictObject({ ca: FilePath.optional(), cert: FilePath.optional(), key: FilePath.optional() })
    .optional()
    .describe('PEM file paths: CA to trust, client certificate and key'),
  investigators: z.array(InvestigatorSchema).min(1, 'expected at least one investigator key').max(256),
  acl: AclSchema.optional().describe('per-module signer weights; default: defaultAcl(all investigators)'),
  admins: AdminsSchema.optional().describe('admin keys and threshold that policy bundles must be signed with'),
  tags: AgentTagsSchema.default({}).describe(
    'at most 32, keys up to 64 chars, values up to 256 (what enrollment accepts)',
  ),
  name: z
    .string()
    .min(1)
    .max(256)
    .default(() => hostname()),
  heartbeatMs: z.number().int().min(100).max(3_600_000).default(DEFAULT_HEARTBEAT_MS),
  moduleTimeoutMs: z.number().int().min(100).default(300_000),
  maxConcurrent: z.number().int().min(1).max(64).default(2),
  moduleMemoryMb: z
    .number()
    .int()
    .min(64)
    .max(65_536)
    .default(512)
    .describe(
      'heap ceiling of each module worker thread, in MB: a module that outgrows it is stopped (MODULE_MEMORY_LIMIT)',
    ),
  root: z.string().min(1).default('/'),
  dataDir: FilePath.describe('where the agent id, the replay, running and response journals and the kept answers live'),
  maxClockSkewMs: z
    .number()
    .int()
    .min(0)
    .max(CLOCK_SKEW.maxMs)
    .default(CLOCK_SKEW.defaultMs)
    .describe("clock skew tolerated at both ends of an action's window (protocol/limits.ts)"),
  privacyMode: z.boolean().default(false),
  allowedModules: z.array(z.string()).optional().describe('module allowlist; default: every registered module'),
  moduleSettings: z
    .strictObject({ exec: ExecSettingsSchema.optional() })
    .default({})
    .describe("what this host's owner allows a module beyond its signed parameters (exec: programs it may run)"),
  environment: EnvironmentOverrideSchema.optional(),
  watchdog: WatchdogConfigSchema.prefault({}).describe(
    "bounds on the agent's own RSS and CPU (agent/watchdog.ts); over them, the module workers restart",
  ),
});

export type AgentConfig = z.output<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;

export interface ParseConfigOptions {
  /** Relative paths (dataDir, root, key and TLS files) resolve against this directory. */
  baseDir?: string;
  /** Names allowedModules may list; default: the registry. */
  knownModules?: readonly string[];
}

/** Parses an in-memory config (already JSON-decoded). Throws UserError CONFIG_INVALID naming every bad field. */
export function parseAgentConfig(raw: unknown, opts: ParseConfigOptions = {}): AgentConfig {
  const parsed = AgentConfigSchema.safeParse(raw);
  if (!parsed.success)
    throw new UserError('CONFIG_INVALID', `agent config: ${describeIssues(parsed.error)}`, CONFIG_HINT);
  const known = opts.knownModules ?? [...moduleSpecs.keys()];
  const unknown = (parsed.data.allowedModules ?? []).map((m, i) => [m, i] as const).filter(([m]) => !known.includes(m));
  if (unknown.length > 0) {
    const fields = unknown.map(([m, i]) => `allowedModules.${i}: unknown module '${m}'`).join('; ');
    throw new UserError('CONFIG_INVALID', `agent config: ${fields}; known modules: ${known.join(', ')}`, CONFIG_HINT);
  }
  return resolvePaths(parsed.data, opts.baseDir ?? process.cwd());
}

// Alike on purpose (duplicates): reading a file the user named into a UserError that names it, as
// console/services/signer.ts does; the agent and the console share no code
// (test/architecture.test.ts) and the codes differ.
/** Reads, parses and checks a config file: every referenced file must be readable. */
export async function loadAgentConfig(path: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError(
      'CONFIG_INVALID',
      `agent config ${path}: cannot read (${(err as Error).message})`,
      'pass --config FILE with a readable JSON file',
      { cause: err },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UserError('CONFIG_INVALID', `agent config ${path}: not JSON (${(err as Error).message})`, CONFIG_HINT, {
      cause: err,
    });
  }
  const config = parseAgentConfig(raw, { baseDir: dirname(resolve(path)) });
  checkReadable(config);
  return config;
}

function resolvePaths(config: AgentConfig, baseDir: string): AgentConfig {
  const abs = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolve(baseDir, p));
  return {
    ...config,
    root: resolve(baseDir, config.root),
    dataDir: resolve(baseDir, config.dataDir),
    tls:
      config.tls === undefined
        ? undefined
        : { ca: abs(config.tls.ca), cert: abs(config.tls.cert), key: abs(config.tls.key) },
    investigators: config.investigators.map((inv) => ({ ...inv, publicKeyFile: abs(inv.publicKeyFile) })),
    ...(config.admins === undefined
      ? {}
      : {
          admins: {
            ...config.admins,
            keys: config.admins.keys.map((k) => ({ ...k, publicKeyFile: abs(k.publicKeyFile) })),
          },
        }),
  };
}

/** Fails early, naming the field, rather than at the first reconnect. */
export function checkReadable(config: AgentConfig): void {
  const files: [string, string | undefined][] = [
    ['tls.ca', config.tls?.ca],
    ['tls.cert', config.tls?.cert],
    ['tls.key', config.tls?.key],
    ...config.investigators.map((inv, i): [string, string | undefined] => [
      `investigators.${i}.publicKeyFile`,
      inv.publicKeyFile,
    ]),
    ...(config.admins?.keys ?? []).map((k, i): [string, string | undefined] => [
      `admins.keys.${i}.publicKeyFile`,
      k.publicKeyFile,
    ]),
  ];
  for (const [field, path] of files) {
    if (path === undefined) continue;
    try {
      accessSync(path, constants.R_OK);
    } catch (err) {
      throw new UserError(
        'CONFIG_INVALID',
        `agent config: ${field}: cannot read ${path} (${(err as Error).message})`,
        CONFIG_HINT,
        { cause: err },
      );
    }
  }
}
