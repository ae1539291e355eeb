// Environment variables onto config key paths: a few short aliases, plus one generic rule derived from the schema so a new
// option is settable from the environment without anyone remembering to add it here.
//
// The rule: a top-level key `k` is BERTH_<K>; key `k` of section `s` is BERTH_<S>_<K>, with camelCase written as
// UPPER_SNAKE (uploads.idleTimeout -> BERTH_UPLOADS_IDLE_TIMEOUT, log.level -> BERTH_LOG_LEVEL).
// Aliases: BERTH_AUTH = auth.mode, BERTH_INSECURE = auth.insecure, BERTH_META = meta.url, BERTH_BLOBS = blobs.url;
// BERTH_CONFIG names the config file. An alias and its long name set to different values is an error.
// Empty values count as unset. A name under a known section with an unknown key (a typo) is an error; other BERTH_*
// names are left alone. Numbers and booleans are read from their text ("64", "true"/"false", "1"/"0", "yes"/"no").
import { z } from 'zod';
import { RegistryError } from '../core/index.ts';
import { configSchema } from './schema.ts';

export type LeafKind = 'number' | 'boolean' | 'other';

export interface Override {
  path: readonly string[];
  value: unknown;
  /** Where the value came from, for error messages: "env BERTH_LISTEN", "flag --listen". */
  source: string;
}

interface EnvVar {
  path: readonly string[];
  kind: LeafKind;
}

const ALIASES: Readonly<Record<string, string>> = {
  BERTH_AUTH: 'BERTH_AUTH_MODE',
  BERTH_INSECURE: 'BERTH_AUTH_INSECURE',
  BERTH_META: 'BERTH_META_URL',
  BERTH_BLOBS: 'BERTH_BLOBS_URL',
};
const CONFIG_FILE_VAR = 'BERTH_CONFIG';

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodPrefault || s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else return s;
  }
}

function kindOf(schema: z.ZodType): LeafKind {
  const s = unwrap(schema);
  if (s instanceof z.ZodNumber) return 'number';
  if (s instanceof z.ZodBoolean) return 'boolean';
  return 'other';
}

function snake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

const SECTIONS = new Set<string>();
const VARS = new Map<string, EnvVar>();
for (const [key, field] of Object.entries(configSchema.shape)) {
  const inner = unwrap(field);
  if (inner instanceof z.ZodObject) {
    SECTIONS.add(snake(key));
    for (const [sub, leaf] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      VARS.set(`BERTH_${snake(key)}_${snake(sub)}`, { path: [key, sub], kind: kindOf(leaf) });
    }
  } else {
    VARS.set(`BERTH_${snake(key)}`, { path: [key], kind: kindOf(field) });
  }
}

/** Every environment variable berth reads for its config, with the key path it sets (for docs and `--help`). */
export function configEnvVars(): Record<string, string> {
  const out: Record<string, string> = { [CONFIG_FILE_VAR]: '(config file path)' };
  for (const [name, v] of VARS) out[name] = v.path.join('.');
  for (const [alias, name] of Object.entries(ALIASES)) out[alias] = VARS.get(name)!.path.join('.');
  return out;
}

function coerce(text: string, kind: LeafKind): unknown {
  if (kind === 'number' && /^\d+$/.test(text)) return Number(text);
  if (kind === 'boolean') {
    const t = text.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(t)) return true;
    if (['false', '0', 'no', 'off'].includes(t)) return false;
  }
  return text; // left as text so validation reports it with the variable's name
}

/** The config file named by BERTH_CONFIG, if any. */
export function configFileFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env[CONFIG_FILE_VAR] || undefined;
}

/** Reads the BERTH_* variables that set config keys; throws on typos under a known section and on disagreeing aliases. */
export function envOverrides(env: Readonly<Record<string, string | undefined>>): Override[] {
  const out: Override[] = [];
  const unknown: string[] = [];
  for (const name of Object.keys(env).sort()) {
    const text = env[name];
    if (!name.startsWith('BERTH_') || name === CONFIG_FILE_VAR || name in ALIASES || text === undefined || text === '') continue;
    const v = VARS.get(name);
    if (v) {
      out.push({ path: v.path, value: coerce(text, v.kind), source: `env ${name}` });
    } else if (SECTIONS.has(name.slice('BERTH_'.length).split('_')[0]!)) {
      unknown.push(name);
    }
  }
  if (unknown.length > 0) {
    const section = unknown[0]!.split('_')[1]!;
    const known = [...VARS.keys()].filter((n) => n.startsWith(`BERTH_${section}_`)).join(', ');
    throw new RegistryError('INVALID_REQUEST', `unknown environment variable ${unknown.join(', ')} (known for this section: ${known})`);
  }
  for (const [alias, name] of Object.entries(ALIASES)) {
    const text = env[alias];
    if (text === undefined || text === '') continue;
    const canonical = env[name];
    if (canonical !== undefined && canonical !== '' && canonical !== text) {
      throw new RegistryError(
        'INVALID_REQUEST',
        `environment variables ${alias}=${JSON.stringify(text)} and ${name}=${JSON.stringify(canonical)} disagree; set one`,
      );
    }
    if (canonical === undefined || canonical === '') {
      const v = VARS.get(name)!;
      out.push({ path: v.path, value: coerce(text, v.kind), source: `env ${alias}` });
    }
  }
  return out;
}
