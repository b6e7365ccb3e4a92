import { ModuleError } from '../../protocol/errors.js';
import type { Backend } from './backend.js';
import { mustRun, runTool } from './exec.js';
import { parseListing, type Listing } from './nft-listing.js';
import { addScript, CHAIN_NAMES, deleteScript, setNames, skeletonScript, TABLE } from './nft-script.js';
import { blockKey, type Block } from './rules.js';

const [FAMILY, NAME] = TABLE.split(' ') as [string, string];

/** nftables: MIG's own `table inet mig`; expiry is the kernel's (element timeouts). */
export class NftBackend implements Backend {
  readonly name = 'nft';
  private last: Listing | undefined;

  constructor(
    private readonly signal: AbortSignal,
    private readonly now: () => Date,
    private readonly warn: (message: string) => void,
  ) {}

  /** Why nft cannot be used here, or undefined. */
  static async problem(signal: AbortSignal): Promise<string | undefined> {
    const result = await runTool('nft', ['list', 'tables'], { signal }).catch((err: unknown) => (err as Error).message);
    if (typeof result === 'string') return result; // not installed, or aborted
    return result.code === 0 ? undefined : `nft list tables: ${result.stderr.trim() || `exit code ${result.code}`}`;
  }

  async prepare(): Promise<void> {
    let listing = await this.read();
    if (listing === undefined) {
      const created = await runTool('nft', ['-f', '-'], { signal: this.signal, stdin: skeletonScript() });
      // "File exists": another operation created it first, which is just as good.
      if (created.code !== 0 && !/File exists/.test(created.stderr))
        throw new ModuleError('MODULE_FAILED', `nft: creating table ${TABLE} failed: ${created.stderr.trim()}`);
      listing = await this.read();
    }
    const missing = [
      ...setNames().filter((s) => !listing?.sets.has(s)),
      ...CHAIN_NAMES.filter((c) => !listing?.chains.has(c)),
    ];
    if (missing.length > 0) {
      throw new ModuleError(
        'MODULE_FAILED',
        `nft: table ${TABLE} exists but lacks ${missing.join(', ')}: it was not made by this MIG version; \`nft delete table ${TABLE}\` lets MIG recreate it`,
      );
    }
  }

  async list(): Promise<Block[]> {
    this.last = await this.read();
    for (const problem of this.last?.problems ?? []) this.warn(problem);
    return this.last?.blocks ?? [];
  }

  async add(blocks: readonly Block[], timeoutSeconds: number | undefined): Promise<void> {
    if (blocks.length === 0) return;
    await mustRun('nft', ['-f', '-'], { signal: this.signal, stdin: addScript(blocks, timeoutSeconds) });
  }

  async remove(blocks: readonly Block[]): Promise<void> {
    const elements = blocks.flatMap((b) => this.last?.elements.get(blockKey(b)) ?? []);
    if (elements.length === 0) return;
    await mustRun('nft', ['-f', '-'], { signal: this.signal, stdin: deleteScript(elements) });
  }

  expand(blocks: readonly Block[]): Block[] {
    return [...blocks];
  }

  /** Undefined when the table does not exist (nothing was ever blocked here). */
  private async read(): Promise<Listing | undefined> {
    const result = await runTool('nft', ['-j', 'list', 'table', FAMILY, NAME], { signal: this.signal });
    if (result.code !== 0) {
      if (/No such file or directory/.test(result.stderr)) return undefined;
      throw new ModuleError('MODULE_FAILED', `nft -j list table ${TABLE} failed: ${result.stderr.trim()}`);
    }
    return parseListing(result.stdout, this.now());
  }
}
