// The tree is the architecture (ARCHITECTURE.md "Folders"): these import rules keep it so.
// A plain scan of import specifiers, in place of an ESLint restricted-paths setup. Every file is
// scanned, tests included: a test follows its folder's rules and may also use test/helpers/, where
// all test support lives (no helper hides in a source folder under a name the scan skips).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const SOURCE_ROOTS = ['protocol', 'intel', 'modules', 'agent', 'broker', 'console', 'bin'];

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'fixtures') continue;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...filesUnder(path));
    else if (/\.(ts|tsx|mjs|js)$/.test(name)) out.push(path);
  }
  return out;
}

const isTest = (file: string): boolean => /\.test\.tsx?$/.test(file) || file.startsWith('test/');
const ALL = [...SOURCE_ROOTS, 'test', 'bench', 'demo', 'scripts'].flatMap(filesUnder);
const SOURCES = ALL.filter((f) => SOURCE_ROOTS.some((r) => f.startsWith(`${r}/`)) && !isTest(f));

interface Import {
  /** Repo-relative path of our file (as written: `.js` for a `.ts` file), or a bare package name. */
  to: string;
  typeOnly: boolean;
}

/** Every import of a file, type-only ones too: a type-only import still couples the files. */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found = text.matchAll(
    /(?:^|\n)\s*(?:import|export)(\s+type\b)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
  );
  return [...found].map((m) => {
    const spec = m[2] ?? m[3] ?? '';
    return {
      to: spec.startsWith('.') ? relative(ROOT, resolve(join(ROOT, file, '..'), spec)) : spec,
      typeOnly: m[1] !== undefined,
    };
  });
}

/** The file an import denotes (`x.js` is `x.ts` or `x.tsx` on disk), if it is one of ours. */
function fileOf(to: string): string | undefined {
  return [to.replace(/\.js$/, '.ts'), to.replace(/\.js$/, '.tsx'), to].find(
    (c) => existsSync(join(ROOT, c)) && statSync(join(ROOT, c)).isFile(),
  );
}

interface Rule {
  name: string;
  /** The files the rule holds (tests among them also get test/helpers/). */
  files: RegExp;
  allowed: (to: string, file: string) => boolean;
}

const PACKAGE = /^[@a-z]/;
const forbid = (re: RegExp) => (to: string) => !re.test(to);
/** modules/<name>/ of a path under modules/, or undefined for modules/*.ts at the root. */
const moduleFolder = (file: string): string | undefined => /^modules\/[a-z-]+\//.exec(file)?.[0];

const RULES: Rule[] = [
  {
    name: 'protocol imports nothing of ours',
    files: /^protocol\//,
    allowed: forbid(/^(intel|agent|broker|console|modules|bin|demo|bench|scripts)\//),
  },
  // Threat-intel feeds → unsigned actions: pure translation the console and the server share
  // (`mig ioc`, POST /ioc). It checks values with modules' pure parameter helpers, never run code.
  {
    name: "intel imports only protocol/, itself and modules' pure parameter helpers",
    files: /^intel\//,
    allowed: (to) =>
      PACKAGE.test(to) ||
      /^(protocol|intel)\//.test(to) ||
      /^modules\/(registry|netstat\/(ip|params)|yara\/params|shared\/search\/params)\.js$/.test(to),
  },
  {
    name: 'a module imports only protocol/, modules/shared/ and its own folder',
    files: /^modules\/(?!shared\/)[a-z-]+\//,
    allowed: (to, file) =>
      PACKAGE.test(to) || /^(protocol|modules\/shared)\//.test(to) || to.startsWith(moduleFolder(file) ?? '\0'),
  },
  {
    name: 'modules/shared imports only protocol/ and modules/shared/',
    files: /^modules\/shared\//,
    allowed: (to) => PACKAGE.test(to) || /^(protocol|modules\/shared)\//.test(to),
  },
  {
    // The two tables a process loads to know its modules: specs (schemas only) and run code.
    name: 'modules/registry.ts imports specs only, modules/runners.ts run code only',
    files: /^modules\/[a-z-]+\.tsx?$/,
    allowed: (to, file) =>
      PACKAGE.test(to) ||
      /^protocol\//.test(to) ||
      /^modules\/[a-z-]+\/spec\.js$/.test(to) ||
      (file.startsWith('modules/runners') && /^modules\/([a-z-]+\/run|registry)\.js$/.test(to)),
  },
  // The server checks parameters against module specs (protocol/limits.ts, check-operations.ts):
  // it may import the spec registry, which holds schemas only, and never any run code.
  {
    name: 'broker imports module specs only through modules/registry.js, never agent or console',
    files: /^broker\//,
    // intel/ is pure translation (its own rule keeps it off run code): POST /ioc uses it.
    allowed: forbid(/^(agent|console)\/|^modules\/(?!registry\.js$)/),
  },
  {
    name: 'agent never imports broker, console or intel',
    files: /^agent\//,
    allowed: forbid(/^(broker|console|intel)\//),
  },
  {
    name: 'console never imports agent, broker or module run code',
    files: /^console\//,
    allowed: forbid(/^(agent|broker)\/|^modules\/.*\/run\.js$|^modules\/runners\.js$/),
  },
  {
    name: 'views and components never import services, mqtt or openpgp',
    files: /^console\/(views|components)\//,
    allowed: forbid(/^console\/services\/|^(mqtt|openpgp)$/),
  },
];

function violations(rule: Rule): string[] {
  return ALL.filter((f) => rule.files.test(f)).flatMap((file) =>
    importsOf(file)
      .filter(({ to }) => !(isTest(file) && to.startsWith('test/helpers/')) && !rule.allowed(to, file))
      .map(({ to }) => `${file} imports ${to}`),
  );
}

describe('import rules (tests included)', () => {
  it.each(RULES)('$name', (rule) => {
    expect(ALL.filter((f) => rule.files.test(f)).length).toBeGreaterThan(0);
    expect(violations(rule)).toEqual([]);
  });

  it('source never imports test code, and no import leaves the repository', () => {
    const bad = SOURCES.flatMap((file) =>
      importsOf(file)
        .filter(({ to }) => /^test\/|\.test\.js$/.test(to))
        .map(({ to }) => `${file} imports ${to}`),
    );
    const outside = ALL.flatMap((file) =>
      importsOf(file)
        .filter(({ to }) => to.startsWith('..'))
        .map(({ to }) => `${file} imports ${to}`),
    );
    expect([...bad, ...outside]).toEqual([]);
  });

  it('test support lives in test/helpers/: no source file is used by tests alone', () => {
    expect(
      SOURCES.filter((f) => /testing|test-support|test-broker|test-harness|test-rig|test-modules/.test(f)),
    ).toEqual([]);
    // Any relative path in a string counts as a use (imports, new URL('./x.ts'), spawned files).
    const users = new Map<string, string[]>();
    for (const file of ALL) {
      for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/['"](\.\.?\/[^'"\n]+)['"]/g)) {
        const used = fileOf(relative(ROOT, resolve(join(ROOT, file, '..'), m[1] ?? '')));
        if (used !== undefined) users.set(used, [...(users.get(used) ?? []), file]);
      }
    }
    // bin/ holds entry points: tests spawn them as a user would.
    const testOnly = SOURCES.filter(
      (f) => !f.startsWith('bin/') && (users.get(f) ?? []).length > 0 && (users.get(f) ?? []).every(isTest),
    );
    expect(testOnly).toEqual([]);
  });

  it('module specs import only protocol, zod and pure helpers (never run code)', () => {
    const specs = SOURCES.filter((f) => /^modules\/[a-z-]+\/spec\.ts$/.test(f));
    expect(specs.length).toBeGreaterThan(10);
    const pure =
      /^(zod|protocol\/.*|modules\/shared\/(version-compare|param-checks|param-help)\.js|modules\/shared\/packages\/(constraint|installed)\.js|modules\/shared\/search\/(params|param-values|regex|regex-js|regex-anchors|regex-syntax|literals)\.js)$/;
    const ownPure = (to: string, f: string) =>
      to.startsWith(moduleFolder(f) ?? '\0') && !/\/run(-[a-z-]+)?\.js$/.test(to);
    const bad = specs.flatMap((f) =>
      importsOf(f)
        .filter(({ to }) => !pure.test(to) && !ownPure(to, f))
        .map(({ to }) => `${f} imports ${to}`),
    );
    expect(bad).toEqual([]);
  });
});

/** Import cycles among source files, each as the path that closes it. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('import cycles', () => {
  it('the checker finds a cycle, type-only imports included', () => {
    expect(importsOf('console/services/gpg.ts')).toContainEqual({
      to: 'console/services/signer-contract.js',
      typeOnly: true,
    });
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(graph)).toEqual(['a -> b -> c -> a']);
  });

  // No allow-list: the gpg/signer cycle went through console/services/signer-contract.ts.
  it('source files import each other in no cycle', () => {
    expect(SOURCES.length).toBeGreaterThan(300);
    expect(cycles(new Map(SOURCES.map((f) => [f, importsOf(f).flatMap(({ to }) => fileOf(to) ?? [])])))).toEqual([]);
  });
});
