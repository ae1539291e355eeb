// Reads `postgres://USER:PASS@HOST:PORT/DB?schema=NAME&pool=N&connectTimeoutMs=MS` into pool settings. The three
// berth parameters are taken out; everything else (sslmode, application_name, ...) goes to node-postgres untouched.
import { RegistryError } from '../../../core/index.ts';
import type { PoolSettings } from './db.ts';

/** A plain lower-case identifier: used unquoted in search_path and CREATE SCHEMA, and the same in every tool. */
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

export const DEFAULTS = { schema: 'public', poolSize: 10, connectTimeoutMs: 5_000 } as const;

function invalid(message: string): RegistryError {
  return new RegistryError('INVALID_REQUEST', `metadata URL: ${message}`);
}

function whole(name: string, raw: string | null, min: number, max: number, fallback: number): number {
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** Settings from a postgres:// or postgresql:// URL; explicit options win over the URL's parameters. */
export function poolSettings(url: string, explicit: Partial<Omit<PoolSettings, 'connectionString'>> = {}): PoolSettings {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid('not a URL of the form postgres://USER:PASSWORD@HOST:PORT/DATABASE'); // never echo it: it holds a password
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw invalid(`expected postgres:// or postgresql://, got ${u.protocol}//`);
  if (u.hostname === '') throw invalid('no host');
  const params = u.searchParams;
  // node-postgres would let it replace berth's session settings (search_path, timeouts): data in another schema.
  if (params.has('options')) throw invalid('the "options" parameter is not supported: berth sets the session options itself (use ?schema=NAME)');
  const schema = explicit.schema ?? params.get('schema') ?? DEFAULTS.schema;
  if (!SCHEMA.test(schema)) throw invalid(`schema must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters), got "${schema}"`);
  const poolSize = explicit.poolSize ?? whole('pool', params.get('pool'), 1, 1_000, DEFAULTS.poolSize);
  const connectTimeoutMs = explicit.connectTimeoutMs ?? whole('connectTimeoutMs', params.get('connectTimeoutMs'), 1, 600_000, DEFAULTS.connectTimeoutMs);
  for (const key of ['schema', 'pool', 'connectTimeoutMs']) params.delete(key);
  return { connectionString: u.toString(), schema, poolSize, connectTimeoutMs };
}
