// `npm run fuzz [-- --cases N] [-- --seed S]`: the fuzz suites (test/fuzz/*.fuzz.test.ts) with
// about N cases in all (default 100,000) instead of CI's ~2,000. Every property keeps its
// share: the CI counts are scaled by MIG_FUZZ_SCALE. fast-check prints the seed and the
// counterexample of a failure; pass --seed to replay it. Exits with vitest's status.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Cases the suites run at scale 1 (sum of their fuzzParams counts, a batch counted as ~20). */
const CI_CASES = 2_000;

const Args = z.object({
  cases: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
  seed: z.coerce.number().int().optional(),
});

function parseArgs(argv: readonly string[]): z.infer<typeof Args> {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? '';
    if (!flag.startsWith('--'))
      throw new Error(`fuzz: unexpected argument ${JSON.stringify(flag)}; expected --cases N or --seed S`);
    raw[flag.slice(2)] = argv[i + 1] ?? '';
  }
  const parsed = Args.safeParse(raw);
  if (!parsed.success)
    throw new Error(`fuzz: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

const args = parseArgs(process.argv.slice(2));
const scale = args.cases / CI_CASES;
const root = fileURLToPath(new URL('..', import.meta.url));
console.log(
  `fuzz: about ${args.cases} cases (scale ${scale.toFixed(1)} of CI's ~${CI_CASES})${args.seed === undefined ? '' : `, seed ${args.seed}`}`,
);
const started = Date.now();
const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/fuzz', '--maxWorkers', '2'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    MIG_FUZZ_SCALE: String(scale),
    ...(args.seed === undefined ? {} : { MIG_FUZZ_SEED: String(args.seed) }),
  },
});
console.log(`fuzz: finished in ${Math.round((Date.now() - started) / 1000)} s, exit ${run.status ?? 'signal'}`);
process.exit(run.status ?? 1);
