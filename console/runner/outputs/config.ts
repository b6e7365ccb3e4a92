import { z } from 'zod';

const MIB = 1024 * 1024;

export const NdjsonOutputSchema = z.strictObject({
  type: z.literal('ndjson'),
  path: z.string().min(1).describe('file the events are appended to'),
  maxBytes: z
    .number()
    .int()
    .min(4096)
    .max(64 * 1024 * MIB)
    .default(100 * MIB)
    .describe('rotate past this size'),
  keep: z.number().int().min(1).max(100).default(5).describe('rotated files kept: FILE.1 … FILE.<keep>'),
});
export const SyslogOutputSchema = z.strictObject({
  type: z.literal('syslog'),
  url: z
    .string()
    .regex(/^(udp|tcp|tls):\/\/[^/]+$/, 'expected udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT')
    .describe('where the syslog receiver listens (RFC 5424; TCP and TLS with octet counting)'),
  facility: z
    .enum(['user', 'daemon', 'auth', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'])
    .default('local0'),
  appName: z.string().min(1).max(48).default('mig'),
  /** PEM CA for tls:// (read from caFile by the runner). */
  caFile: z.string().min(1).optional().describe('PEM CA file that signed the TLS receiver'),
});
export const WebhookOutputSchema = z.strictObject({
  type: z.literal('webhook'),
  url: z.url({ protocol: /^https?$/ }).describe('HTTP(S) endpoint each event is POSTed to'),
  secretFile: z.string().min(1).describe('file holding the HMAC secret (X-MIG-Signature)'),
  timeoutMs: z.number().int().min(100).max(300_000).default(10_000),
});
export const OutputSchema = z.discriminatedUnion('type', [NdjsonOutputSchema, SyslogOutputSchema, WebhookOutputSchema]);

export type NdjsonOutput = z.output<typeof NdjsonOutputSchema>;
export type SyslogOutput = z.output<typeof SyslogOutputSchema> & { ca?: string };
export type WebhookOutput = z.output<typeof WebhookOutputSchema>;
export type OutputConfig = z.output<typeof OutputSchema>;
