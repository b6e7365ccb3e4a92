/** One line of `npm run bench`: our figure beside the reference it competes with. */
export interface BenchRow {
  name: string;
  ours: number;
  reference: string;
  referenceValue: number;
  /** MB/s: higher is better; the others (time, memory, share of a core): lower is better. */
  unit: 'ms' | 'MB/s' | 'MB' | '%';
  note?: string;
}

export type Bench = () => Promise<BenchRow[]>;
