// The config schema: one source for defaults, validation, the Config type and the published JSON Schema.
// Objects are strict so a misspelt key is an error instead of a silently ignored setting.
import { z } from 'zod';
import { parseDuration, parseSize } from './units.ts';

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `invalid duration ${JSON.stringify(v)} (use e.g. "90s", "5m", "24h", "7d" or "0")` });
    return z.NEVER;
  }
  return ms;
});

const size = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const bytes = parseSize(v);
  if (bytes === null || bytes === 0) {
    ctx.addIssue({ code: 'custom', message: `invalid size ${JSON.stringify(v)} (use e.g. 4194304, "512KiB" or "4MiB")` });
    return z.NEVER;
  }
  return bytes;
});

const listen = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be HOST:PORT or [IPv6]:PORT')
  .refine((v) => Number(v.slice(v.lastIndexOf(':') + 1)) <= 65535, 'port must be at most 65535');

export const configSchema = z.strictObject({
  listen: listen.default('127.0.0.1:5000'),
  data: z.string().min(1).default('./data'),
  auth: z.strictObject({
    mode: z.enum(['auto', 'none', 'required']).default('auto'),
    insecure: z.boolean().default(false),
    realm: z.url().optional(),
    service: z.string().min(1).default('berth'),
    tokenTtl: duration.prefault('5m'),
  }).prefault({}),
  meta: z.strictObject({ url: z.string().min(1).optional() }).prefault({}),
  blobs: z.strictObject({ url: z.string().min(1).optional() }).prefault({}),
  uploads: z.strictObject({
    idleTimeout: duration.prefault('24h'),
    maxConcurrent: z.number().int().min(0).default(64),
  }).prefault({}),
  manifests: z.strictObject({ maxBytes: size.prefault(4 * 1024 * 1024) }).prefault({}),
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
  shutdown: z.strictObject({ graceTimeout: duration.prefault('30s') }).prefault({}),
  deletion: z.strictObject({ restoreWindow: duration.prefault('24h') }).prefault({}),
  gc: z.strictObject({ grace: duration.prefault('1h'), interval: duration.prefault('10m') }).prefault({}),
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
}
