import type { Family } from './address.js';
import type { Backend } from './backend.js';
import { mustRun, runTool } from './exec.js';
import {
  blocksFromLines,
  CHAIN,
  HOOK,
  parseChainListing,
  RESTORE,
  restoreScript,
  rulesOf,
  TOOL,
  type ListedLine,
} from './iptables-rules.js';
import { blockKey, perFamily, type Block, type Direction } from './rules.js';

const FAMILIES: readonly Family[] = [4, 6];
const DIRECTIONS: readonly Direction[] = ['in', 'out'];
/** Wait up to 5 s for the xtables lock another tool (a host firewall daemon) may hold. */
const WAIT = ['-w', '5'];

/** iptables and ip6tables: MIG's own chains, changed through iptables-restore --noflush (atomic per table). */
export class IptablesBackend implements Backend {
  readonly name = 'iptables';
  private last = new Map<string, ListedLine[]>();

  constructor(private readonly signal: AbortSignal) {}

  static async problem(signal: AbortSignal): Promise<string | undefined> {
    const result = await runTool('iptables', [...WAIT, '-S', 'INPUT'], { signal }).catch(
      (err: unknown) => (err as Error).message,
    );
    if (typeof result === 'string') return result; // not installed, or aborted
    return result.code === 0 ? undefined : `iptables -S INPUT: ${result.stderr.trim() || `exit code ${result.code}`}`;
  }

  async prepare(): Promise<void> {
    for (const family of FAMILIES) {
      for (const direction of DIRECTIONS) {
        const tool = TOOL[family];
        const exists = await runTool(tool, [...WAIT, '-S', CHAIN[direction]], { signal: this.signal });
        if (exists.code !== 0) await mustRun(tool, [...WAIT, '-N', CHAIN[direction]], { signal: this.signal });
        const jumped = await runTool(tool, [...WAIT, '-C', HOOK[direction], '-j', CHAIN[direction]], {
          signal: this.signal,
        });
        if (jumped.code !== 0)
          await mustRun(tool, [...WAIT, '-I', HOOK[direction], '1', '-j', CHAIN[direction]], { signal: this.signal });
      }
    }
  }

  async list(): Promise<Block[]> {
    const lines: ListedLine[] = [];
    for (const family of FAMILIES) {
      for (const direction of DIRECTIONS) {
        const result = await runTool(TOOL[family], [...WAIT, '-S', CHAIN[direction]], { signal: this.signal });
        // A missing chain: nothing was ever blocked with this tool.
        if (result.code === 0) lines.push(...parseChainListing(result.stdout, family, direction));
      }
    }
    const parsed = blocksFromLines(lines);
    this.last = parsed.lines;
    return parsed.blocks;
  }

  /** Atomic per table; if ip6tables fails after iptables succeeded, the IPv4 rules are taken back out. */
  async add(blocks: readonly Block[]): Promise<void> {
    const rules = blocks.flatMap(rulesOf);
    const done: { family: Family; lines: { direction: Direction; args: string[] }[] }[] = [];
    try {
      for (const family of FAMILIES) {
        const mine = rules.filter((r) => r.family === family);
        if (mine.length === 0) continue;
        const script = restoreScript(
          mine.map((r) => ({
            op: r.position === 'head' ? ('-I' as const) : ('-A' as const),
            direction: r.direction,
            args: r.args,
          })),
        );
        await mustRun(RESTORE[family], [...WAIT, '--noflush'], { signal: this.signal, stdin: script });
        done.push({ family, lines: mine });
      }
    } catch (err) {
      for (const { family, lines } of done) {
        const undo = restoreScript(lines.map((l) => ({ op: '-D' as const, direction: l.direction, args: l.args })));
        await runTool(RESTORE[family], [...WAIT, '--noflush'], { signal: this.signal, stdin: undo }).catch(
          () => undefined,
        );
      }
      throw err;
    }
  }

  async remove(blocks: readonly Block[]): Promise<void> {
    const lines = blocks.flatMap((b) => this.last.get(blockKey(b)) ?? []);
    for (const family of FAMILIES) {
      const mine = lines
        .filter((l) => l.family === family)
        .map((l) => ({ op: '-D' as const, direction: l.direction, args: l.args }));
      if (mine.length > 0)
        await mustRun(RESTORE[family], [...WAIT, '--noflush'], { signal: this.signal, stdin: restoreScript(mine) });
    }
  }

  expand(blocks: readonly Block[]): Block[] {
    return perFamily(blocks);
  }
}
