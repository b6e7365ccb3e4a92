import { readFileSync } from 'node:fs';
import { arch as osArch, hostname as osHostname, networkInterfaces, release, type as osType } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { targetFactsOf } from '../protocol/agent-facts.js';
import type { AgentFacts, AgentPlatform } from '../protocol/target/index.js';
import type { EnvironmentOverride } from './config.js';

/** What an agent says about itself in heartbeats (HeartbeatMessage's descriptive fields). */
export interface HostFacts extends AgentPlatform {
  agentId: string;
  environment: { ident: string; init: string; addresses: string[]; hostname: string };
  tags: Record<string, string>;
}

/** The platform facts an agent reports, as heartbeats and enrollment requests carry them. */
export function platformFacts(
  host: HostFacts,
): Pick<HostFacts, 'os' | 'arch' | 'version' | 'mode' | 'queueloc' | 'environment'> {
  return {
    os: host.os,
    arch: host.arch,
    version: host.version,
    mode: host.mode,
    queueloc: host.queueloc,
    environment: host.environment,
  };
}

export interface DetectFactsOptions {
  agentId: string;
  name: string;
  tags: Record<string, string>;
  /** Filesystem root for /etc/os-release and /proc/1/comm (config.root). */
  root: string;
  overrides?: EnvironmentOverride;
}

/** MIG names Windows `windows`; every other platform keeps Node's name (linux, darwin, freebsd). */
export function osName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'windows' : platform;
}

/** Detects the host's facts; config.environment replaces any of them (tests, demos). */
export function detectFacts(opts: DetectFactsOptions): HostFacts {
  const o = opts.overrides ?? {};
  const os = o.os ?? osName(process.platform);
  return {
    agentId: opts.agentId,
    name: opts.name,
    os,
    arch: o.arch ?? osArch(),
    version: o.version ?? agentVersion(),
    mode: 'daemon',
    queueloc: `${os}.${opts.agentId}`,
    environment: {
      ident: clip(o.ident ?? detectIdent(opts.root), 256),
      init: clip(o.init ?? detectInit(opts.root), 64),
      addresses: o.addresses ?? detectAddresses(),
      hostname: clip(o.hostname ?? osHostname(), 256),
    },
    tags: opts.tags,
  };
}

/** Facts as the target language sees them: the mapping the server uses too (protocol/agent-facts.ts). */
export function targetFacts(host: HostFacts): AgentFacts {
  return targetFactsOf({ ...host, id: host.agentId });
}

const PackageJsonSchema = z.object({ version: z.string().max(64) });

/** The version in package.json, read once; '0.0.0' when it cannot be found (bundled builds set it). */
export function agentVersion(): string {
  cachedVersion ??= readVersion();
  return cachedVersion;
}
let cachedVersion: string | undefined;

/** A single-file agent has no package.json beside it: its build stamps the version (agent/bundle/main.ts). */
export function useAgentVersion(version: string): void {
  cachedVersion = version;
}

function readVersion(): string {
  try {
    const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
    return PackageJsonSchema.parse(JSON.parse(text)).version;
  } catch {
    return '0.0.0';
  }
}

function detectIdent(root: string): string {
  const text = readOptional(join(root, 'etc', 'os-release'));
  const match = text === undefined ? null : /^PRETTY_NAME=(.*)$/m.exec(text);
  if (match?.[1] !== undefined) return match[1].trim().replace(/^(["'])(.*)\1$/, '$2');
  return process.platform === 'darwin' ? `macOS (Darwin ${release()})` : `${osType()} ${release()}`;
}

function detectInit(root: string): string {
  const comm = readOptional(join(root, 'proc', '1', 'comm'))?.trim();
  if (comm !== undefined && comm !== '') return comm;
  if (process.platform === 'darwin') return 'launchd';
  if (process.platform === 'win32') return 'windows-service';
  return 'unknown';
}

function detectAddresses(): string[] {
  const out: string[] = [];
  for (const infos of Object.values(networkInterfaces())) {
    for (const info of infos ?? []) if (!info.internal) out.push(info.address);
  }
  return out.slice(0, 64);
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}
