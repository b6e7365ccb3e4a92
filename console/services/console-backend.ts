import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { SignedAction, UnsignedAction } from '../../protocol/action.js';
import type { CommandRecord } from '../../protocol/api.js';
import { UserError } from '../../protocol/errors.js';
import { getModuleSpec } from '../../modules/registry.js';
import { importMigAction } from '../import/mig-action.js';
import { createRenderer } from '../render/renderer.js';
import type { ConnectionStatus, ConsoleBackend, ConsoleInvestigator, ExportFormat } from '../state/backend.js';
import { addSignature, parseActionFile, signAction } from './action-signing.js';
import { approveShownAction } from './approval.js';
import type { ApiClient } from './api-client.js';
import { followEvents } from './events.js';
import type { Signer } from './signer.js';

/** Commands fetched per page when exporting or listing: the API caps pages server side too. */
const PAGE = 500;

/**
 * The console's real backend: the API client for the server, the signer for signatures, the
 * filesystem for action files and exports. Views reach none of these directly.
 */
export function createConsoleBackend(opts: {
  client: ApiClient;
  signer: Signer;
  investigator: ConsoleInvestigator;
  now(): Date;
  /** Where an export with a bare or relative name goes ($MIG_HOME/exports): not wherever the console was started. */
  exportsDir?: string;
}): ConsoleBackend {
  const { client, signer } = opts;
  const sign = (action: UnsignedAction | SignedAction): Promise<SignedAction> =>
    'signatures' in action ? addSignature(action, signer) : signAction(action, signer);
  return {
    serverUrl: client.serverUrl,
    investigator: opts.investigator,
    listAgents: (target) =>
      client.listAgents({ ...(target === undefined || target === '' ? {} : { target }), limit: 10_000 }),
    countAgents: (target) => client.countAgents(target),
    listActions: () => client.listActions({ limit: 500 }),
    getAction: (id) => client.getAction(id),
    listCommands: (actionId, q = {}) =>
      client.listCommands(actionId, {
        limit: q.limit ?? PAGE,
        offset: q.offset ?? 0,
        ...(q.isFound === undefined ? {} : { found: q.isFound }),
      }),
    cancelAction: (id) => client.cancelAction(id),
    approveAction(id, shown) {
      if (shown.id !== id)
        return Promise.reject(new UserError('BAD_REQUEST', `asked to approve ${id} but shown ${shown.id}`));
      return approveShownAction(client, signer, shown);
    },
    sign,
    async signAndLaunch(action, { addSignature: isSigning }) {
      const signed = isSigning ? await sign(action) : 'signatures' in action ? action : await sign(action);
      return client.createAction(signed);
    },
    listInvestigators: () => client.listInvestigators(),
    async addInvestigator({ name, publicKeyPath, isAdmin }) {
      const publicKey = await readText(publicKeyPath);
      return client.addInvestigator({ name, publicKey, isAdmin });
    },
    setInvestigatorStatus: (fp, status) => client.setInvestigatorEnabled(fp, status === 'active'),
    listPendingAgents: () => client.listPendingAgents(),
    decideEnrollment: (agentId, decision) =>
      decision === 'accept' ? client.acceptAgent(agentId) : client.rejectAgent(agentId),
    subscribe(onEvent, onStatus: (s: ConnectionStatus) => void) {
      const controller = new AbortController();
      void followEvents({
        client,
        signal: controller.signal,
        onEvent,
        onOpen: () => onStatus('connected'),
        onError: () => onStatus('reconnecting'),
      });
      return () => controller.abort();
    },
    readActionFile: (path) => readActionFile(path, opts.now()),
    importIocFeed: async (path, { target, expiry }) =>
      client.translateIoc({ feed: await readText(path), source: basename(path), target, expiry }),
    exportResults: (actionId, format, path) =>
      exportResults(client, actionId, format, opts.exportsDir === undefined ? path : resolve(opts.exportsDir, path)),
  };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError('BAD_REQUEST', `cannot read ${path}: ${(err as Error).message}`, undefined, { cause: err });
  }
}

/** Ours (has `v`) or MIG's (syntaxversion 2, imported and left unsigned for the console to sign). */
async function readActionFile(path: string, now: Date): Promise<UnsignedAction | SignedAction> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readText(path));
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('BAD_REQUEST', `${path} is not JSON: ${(err as Error).message}`, undefined, { cause: err });
  }
  const isOurs = typeof raw === 'object' && raw !== null && 'v' in raw;
  if (isOurs) return parseActionFile(raw, path);
  return importMigAction(raw, { now }).action;
}

async function allCommands(client: ApiClient, actionId: string): Promise<CommandRecord[]> {
  const commands: CommandRecord[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await client.listCommands(actionId, { limit: PAGE, offset });
    commands.push(...page.commands);
    if (page.commands.length < PAGE || commands.length >= page.total) return commands;
  }
}

async function exportResults(client: ApiClient, actionId: string, format: ExportFormat, path: string): Promise<string> {
  const record = await client.getAction(actionId);
  const moduleName = record.action.operations[0]?.module ?? '';
  const spec = getModuleSpec(moduleName);
  if (spec === undefined)
    throw new UserError('BAD_REQUEST', `cannot export: module ${moduleName} is unknown to this console`);
  const commands = await allCommands(client, actionId);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const out = createWriteStream(path, { mode: 0o600 });
  const renderer = createRenderer(format, spec, out, { show: 'all' });
  for (const cmd of commands) renderer.command(cmd);
  renderer.end();
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
  return path;
}
