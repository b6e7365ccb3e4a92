// The tree is the architecture (ARCHITECTURE.md "Folders"): these import rules keep it so.
// A plain scan of import specifiers, in place of an ESLint restricted-paths setup.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(new URL('..', import.meta.url).pathname);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) && !/testing|test-support|test-broker/.test(path)) out.push(path);
  }
  return out;
}

/** Every import of a file, as a path relative to the repo (ours) or a bare package name. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? '');
  return specs.map((s) => (s.startsWith('.') ? relative(ROOT, resolve(join(ROOT, file, '..'), s)) : s));
}

interface Rule {
  name: string;
  files: string;
  forbid: RegExp;
}

const RULES: Rule[] = [
  { name: 'protocol imports nothing of ours', files: 'protocol', forbid: /^(agent|broker|console|modules|bin|demo)\// },
  // The server checks parameters against module specs (protocol/limits.ts, check-operations.ts):
  // it may import the spec registry, which holds schemas only, and never any run code.
  { name: 'broker imports module specs only through modules/registry.js, never agent or console', files: 'broker', forbid: /^(agent|console)\/|^modules\/(?!registry\.js$)/ },
  { name: 'agent never imports broker or console', files: 'agent', forbid: /^(broker|console)\// },
  { name: 'console never imports agent, broker or module run code', files: 'console', forbid: /^(agent|broker)\/|^modules\/.*\/run\.js$|^modules\/runners\.js$/ },
  { name: 'views and components never import services, mqtt or openpgp', files: 'console/views', forbid: /^console\/services\/|^(mqtt|openpgp)$/ },
  { name: 'components never import services, mqtt or openpgp', files: 'console/components', forbid: /^console\/services\/|^(mqtt|openpgp)$/ },
];

describe('import rules', () => {
  it.each(RULES)('$name', ({ files, forbid }) => {
    const violations = sourceFiles(files).flatMap((file) => importsOf(file).filter((i) => forbid.test(i)).map((i) => `${file} imports ${i}`));
    expect(violations).toEqual([]);
  });

  it('modules/registry.ts, the one door the broker has into modules, imports only specs and protocol', () => {
    const bad = importsOf('modules/registry.ts').filter((i) => !/^(protocol\/.*|modules\/[a-z-]+\/spec\.js)$/.test(i));
    expect(importsOf('modules/registry.ts').length).toBeGreaterThan(10);
    expect(bad).toEqual([]);
  });

  it('module specs import only protocol, zod and pure module helpers (never run code)', () => {
    const specs = readdirSync(join(ROOT, 'modules')).map((m) => `modules/${m}/spec.ts`).filter((f) => {
      try {
        return statSync(join(ROOT, f)).isFile();
      } catch {
        return false;
      }
    });
    expect(specs.length).toBeGreaterThan(10);
    const allowed = /^(zod|protocol\/.*|modules\/[a-z-]+\/(params|param-values|regex|regex-js|regex-anchors|spec|ip|constants|schema|document|.*-schema)\.js|modules\/shared\/(version-compare|param-checks)\.js|modules\/shared\/search\/(params|param-values|regex|regex-js|regex-anchors|regex-syntax|literals)\.js)$/;
    const bad = specs.flatMap((f) => importsOf(f).filter((i) => !allowed.test(i) && !i.startsWith(f.replace('spec.ts', ''))).map((i) => `${f} imports ${i}`));
    expect(bad).toEqual([]);
  });
});
