/** One line of `npm run bench`: our figure beside the reference it competes with. */
export interface BenchRow {
  name: string;
  ours: number;
  reference: string;
  referenceValue: number;
  unit: 'ms' | 'MB/s';
  note?: string;
}

export type Bench = () => Promise<BenchRow[]>;
