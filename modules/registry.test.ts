// Contract checks over every registered module (MQTT.js abstract_store idea): each spec has a
// runner and the other way round, describes every flag, and declares a strict result.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { moduleSpecs } from './registry.js';
import { moduleRunners } from './runners.js';

const specs = [...moduleSpecs.values()];

describe('module registry', () => {
  it('has a runner for every spec and a spec for every runner', () => {
    expect([...moduleRunners.keys()].sort()).toEqual([...moduleSpecs.keys()].sort());
  });

  it.each(specs.map((spec) => ({ name: spec.name, spec })))('$name: names, flags and result are declared', ({ spec }) => {
    expect(spec.name).toMatch(/^[a-z][a-z0-9-]*$/);
    for (const [key, field] of Object.entries(spec.cli.schema.shape)) {
      expect((field as z.ZodType).description ?? '', `flag -${key} of ${spec.name} has no description`).not.toBe('');
    }
    // Strict: an undeclared field in a row is an error, so nothing undeclared can leak.
    expect(spec.result.safeParse({ __leak: 'x' }).success).toBe(false);
    for (const column of spec.columns) expect(Object.keys(spec.result.shape)).toContain(column.key);
    for (const field of spec.privacy.leaves) expect(Object.keys(spec.result.shape)).toContain(field);
    expect(spec.limits.timeoutMs).toBeGreaterThan(0);
    expect(spec.examples.length).toBeGreaterThan(0);
  });
});
