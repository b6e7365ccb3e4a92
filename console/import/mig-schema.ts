import { z } from 'zod';

/**
 * MIG's own action file (syntaxversion 2), as its console wrote and its docs published it. Read
 * loosely where MIG was loose (extra server fields, numeric revisions) but bounded: the file may
 * come from anywhere. Fields outside this list are reported and ignored, never carried over.
 */
const short = z.string().max(512);

export const MigDescriptionSchema = z.union([
  z.string().max(4096),
  z.looseObject({
    author: short.optional(),
    email: short.optional(),
    url: z.string().max(2048).optional(),
    revision: z.union([z.number(), short]).optional(),
  }),
]);

export const MigThreatSchema = z.looseObject({
  level: short.optional(),
  family: short.optional(),
  type: short.optional(),
  ref: short.optional(),
});

export const MigOperationSchema = z.looseObject({
  module: z.string().min(1).max(64),
  parameters: z.unknown(),
});
export type MigOperation = z.infer<typeof MigOperationSchema>;

export const MigActionSchema = z.looseObject({
  name: z.string().min(1).max(256),
  target: z.string().max(4096).optional(),
  description: MigDescriptionSchema.optional(),
  threat: MigThreatSchema.optional(),
  operations: z.array(MigOperationSchema).min(1).max(64),
  validfrom: short.optional(),
  expireafter: short.optional(),
  syntaxversion: z.number().optional(),
});
export type MigAction = z.infer<typeof MigActionSchema>;

/** Keys read above; anything else in the file is reported as ignored. */
export const READ_KEYS: ReadonlySet<string> = new Set([
  'name',
  'target',
  'description',
  'threat',
  'operations',
  'validfrom',
  'expireafter',
  'syntaxversion',
]);

/** Go's zero time: MIG wrote it for "not set". */
export function isZeroTime(value: string | undefined): boolean {
  return value === undefined || value === '' || value.startsWith('0001-01-01');
}

/** MIG's structured description folded into our one-string description. */
export function describeMig(description: MigAction['description']): string | undefined {
  if (description === undefined) return undefined;
  if (typeof description === 'string') return description === '' ? undefined : description;
  const author = [description.author, description.email === undefined ? undefined : `<${description.email}>`]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  const parts = [
    author === '' ? undefined : `author: ${author}`,
    description.url === undefined || description.url === '' ? undefined : `url: ${description.url}`,
    description.revision === undefined ? undefined : `revision: ${String(description.revision)}`,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? undefined : parts.join('; ');
}
