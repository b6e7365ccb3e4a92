// Contract checks over every registered module (MQTT.js abstract_store idea), so no module's own
// spec test repeats them: each spec has a runner and the other way round, describes every
// parameter, flag and result field, declares a strict result whose columns and privacy lists
// name real fields, and documents examples the real CLI parsers accept.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deriveFlags } from '../test/helpers/modules/console-side.js';
import { moduleSpecs } from './registry.js';
import { moduleRunners } from './runners.js';
import { loadModuleSpec, loadModuleSpecs, moduleNames } from './spec-loaders.js';
import { paramsOfCommand, undescribed } from '../test/helpers/modules/recording.js';

const specs = [...moduleSpecs.values()].map((spec) => ({ name: spec.name, spec }));
const examples = specs.flatMap(({ spec }) =>
  spec.examples.map((e) => ({ name: `${spec.name}: ${e.explains}`, spec, command: e.command })),
);

describe('module registry', () => {
  it('has a runner for every spec and a spec for every runner', () => {
    expect([...moduleRunners.keys()].sort()).toEqual([...moduleSpecs.keys()].sort());
  });

  it('lists the same modules, in the same order, in the lazy spec loaders (spec-loaders.ts)', () => {
    expect(moduleNames).toEqual([...moduleSpecs.keys()]);
  });

  it.each(specs)('$name: the lazy loader yields the very spec the registry holds', async ({ name, spec }) => {
    expect(await loadModuleSpec(name)).toBe(spec);
  });

  it('loads no spec for an unknown module, and each named module once', async () => {
    expect(await loadModuleSpec('nosuch')).toBeUndefined();
    const loaded = await loadModuleSpecs(['file', 'nosuch', 'file', 'ping']);
    expect([...loaded.keys()]).toEqual(['file', 'ping']);
    expect(loaded.get('file')).toBe(moduleSpecs.get('file'));
  });

  it.each(specs)('$name: kebab-case name, a timeout and examples', ({ spec }) => {
    expect(spec.name).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(spec.limits.timeoutMs).toBeGreaterThan(0);
    expect(spec.examples.length).toBeGreaterThan(0);
  });

  it.each(specs)('$name: every parameter, flag and result field is described, at any depth', ({ spec }) => {
    for (const [key, field] of Object.entries(spec.cli.schema.shape)) {
      expect((field as z.ZodType).description ?? '', `flag -${key} of ${spec.name} has no description`).not.toBe('');
    }
    expect(undescribed(spec.params, 'params')).toEqual([]);
    expect(undescribed(spec.cli.schema, 'cli')).toEqual([]);
    expect(undescribed(spec.result, 'result')).toEqual([]);
  });

  it.each(specs)('$name: every CLI field derives a flag', ({ spec }) => {
    const flags = deriveFlags(spec.cli.schema, spec.cli.flags);
    expect(flags.length).toBeGreaterThan(0);
    expect(flags.map((f) => f.key)).toEqual(Object.keys(spec.cli.schema.shape));
  });

  it.each(specs)('$name: the result is strict, so nothing undeclared can leak', ({ spec }) => {
    expect(spec.result.def.catchall).toBeInstanceOf(z.ZodNever);
    // Refused for the undeclared key itself, not merely because required fields are missing.
    const issues = spec.result.safeParse({ __leak: 'x' }).error?.issues ?? [];
    expect(issues.filter((i) => i.code === 'unrecognized_keys').map((i) => i.keys)).toEqual([['__leak']]);
  });

  it.each(specs)('$name: columns, leaves and sensitive fields name result fields', ({ spec }) => {
    const keys = Object.keys(spec.result.shape);
    for (const column of spec.columns) expect(keys, `column ${column.key}`).toContain(column.key);
    for (const field of [...spec.privacy.leaves, ...spec.privacy.sensitive])
      expect(keys, `privacy field ${field}`).toContain(field);
  });

  it.each(examples)('example parses as `mig` parses it: $name', ({ spec, command }) => {
    expect(() => paramsOfCommand(spec, command)).not.toThrow();
  });

  // A runner table's function parses what the agent already accepted (protocol/module-spec.ts
  // parsingParams): that must give the same parameters, not fail or drift.
  it.each(examples)('parameters parsed again are the same: $name', ({ spec, command }) => {
    const accepted = paramsOfCommand(spec, command);
    expect(spec.params.parse(accepted)).toEqual(accepted);
  });
});
