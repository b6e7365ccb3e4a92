import type { Block, BackendName } from './rules.js';

/** What run.ts needs from nftables or iptables. Every method acts on MIG's own table or chains only. */
export interface Backend {
  readonly name: BackendName;
  /** Creates MIG's table or chains when missing. Never called for a dry run or a list. */
  prepare(): Promise<void>;
  /** The blocks in force now (iptables: expired ones too, with expiresAt in the past). */
  list(): Promise<Block[]>;
  /** All or nothing. `timeoutSeconds`: the blocks remove themselves (nft) or are swept later (iptables). */
  add(blocks: readonly Block[], timeoutSeconds: number | undefined): Promise<void>;
  /** Removes blocks returned by the last list(). All or nothing. */
  remove(blocks: readonly Block[]): Promise<void>;
  /** The blocks as this backend stores them (iptables splits IPv4 from IPv6). */
  expand(blocks: readonly Block[]): Block[];
}
