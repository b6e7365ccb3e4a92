// Netstat: our connection-table search over a generated 50,000-connection /proc/net/tcp (a busy
// server) against awk doing the same match on the same file, plus `ss` on this host for context.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { netstatParams } from '../modules/netstat/params.js';
import { runNetstat } from '../modules/netstat/run.js';
import { generateTcpTable, HEADERS, recorder } from '../test/helpers/modules/netstat.js';
import { medianMs } from './file-data.js';
import type { BenchRow } from './types.js';

const CONNECTIONS = 50_000;
const REPS = 7;

function shell(command: string): string {
  const out = spawnSync('bash', ['-o', 'pipefail', '-c', command], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (out.status !== 0) throw new Error(`${command}: exit ${out.status}: ${out.stderr}`);
  return out.stdout;
}

/** Runs the module over `root` to the end, as the agent would; returns the row count. */
async function runOurs(root: string, params: Record<string, unknown>): Promise<number> {
  let rows = 0;
  for await (const row of runNetstat(netstatParams.parse(params), recorder(root).ctx)) if (row !== undefined) rows++;
  return rows;
}

interface Case {
  name: string;
  params: Record<string, unknown>;
  /** awk program over the tcp table doing the same match. */
  awk: string;
}

// Addresses are little-endian hex words: 127.0.0.1 is 0100007F, 10.0.0.x is xx00000A.
const CASES: readonly Case[] = [
  { name: 'remote IP (-ci 127.0.0.1)', params: { connectedip: ['127.0.0.1'] }, awk: '$3 ~ /^0100007F:/' },
  {
    name: 'remote CIDR (-ci 10.0.0.0/24)',
    params: { connectedip: ['10.0.0.0/24'] },
    awk: '$3 ~ /^..00000A:/ && $3 !~ /:0000$/',
  },
  { name: 'listening port (-lp 22)', params: { listeningport: [22] }, awk: '$2 ~ /:0016$/ && $4 == "0A"' },
];

async function tableRows(root: string, table: string): Promise<BenchRow[]> {
  const out: BenchRow[] = [];
  for (const c of CASES) {
    let ours = 0;
    const oursMs = await medianMs(REPS, async () => {
      ours = await runOurs(root, c.params);
    });
    const reference = `awk '${c.awk}' tcp | wc -l`;
    const theirs = Number(shell(`awk 'NR > 1 && ${c.awk}' ${table} | wc -l`).trim());
    const awkMs = await medianMs(REPS, () => shell(`awk 'NR > 1 && ${c.awk}' ${table} | wc -l`));
    const note = ours === theirs ? `${ours} matches, same as awk` : `MISMATCH: ours ${ours}, awk ${theirs}`;
    out.push({
      name: `netstat ${c.name}, ${CONNECTIONS / 1000}k conns`,
      ours: oursMs,
      reference,
      referenceValue: awkMs,
      unit: 'ms',
      note,
    });
  }
  return out;
}

/** This host's own (small) table: our module against ss, for scale rather than competition. */
async function hostRow(): Promise<BenchRow | undefined> {
  if (spawnSync('ss', ['-V']).status !== 0) return undefined;
  const sockets = Number(shell('ss -tan state all | wc -l').trim()) - 1;
  const params = { connectedip: ['0.0.0.0/0', '::/0'] };
  const oursMs = await medianMs(REPS, () => runOurs('/', params));
  const ssMs = await medianMs(REPS, () => shell('ss -tan state all | wc -l'));
  return {
    name: `netstat all TCP peers, this host (${sockets} sockets)`,
    ours: oursMs,
    reference: 'ss -tan state all | wc -l',
    referenceValue: ssMs,
    unit: 'ms',
    note: 'context only: ours also reads udp tables and resolves owning pids',
  };
}

export default async function bench(): Promise<BenchRow[]> {
  const root = mkdtempSync(join(tmpdir(), 'mig-netstat-bench-'));
  try {
    const net = join(root, 'proc/net');
    mkdirSync(net, { recursive: true });
    writeFileSync(join(net, 'tcp'), generateTcpTable(CONNECTIONS));
    for (const table of ['tcp6', 'udp', 'udp6'] as const) writeFileSync(join(net, table), `${HEADERS[table]}\n`);
    const rows = await tableRows(root, join(net, 'tcp'));
    const host = await hostRow();
    return host === undefined ? rows : [...rows, host];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
