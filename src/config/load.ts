// Loads the one config: defaults < file < environment < flags, validated once, paths made absolute, deep-frozen.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { RegistryError } from '../core/index.ts';
import { configFileFromEnv, envOverrides, type Override } from './env.ts';
import { deepFreeze, dropNulls, getPath, isPlainObject, setPath } from './merge.ts';
import { type Config, configSchema } from './schema.ts';

/** Command-line flags that set config (the CLI passes what the user typed; anything else is refused). */
export interface ConfigFlags {
  listen?: string;
  data?: string;
  /** The config file; same as `file`. */
  config?: string;
  /** auth.mode */
  auth?: string;
  /** meta.url */
  meta?: string;
  /** blobs.url */
  blobs?: string;
  /** auth.insecure */
  insecure?: boolean;
}

export interface LoadOptions {
  /** YAML or JSON config file; default: flags.config, then env BERTH_CONFIG, else none (defaults only). */
  file?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  flags?: ConfigFlags;
  /** Relative paths (data, sqlite file, blob dir, config file) resolve against this; default process.cwd(). */
  cwd?: string;
}

const FLAG_PATHS: Readonly<Record<Exclude<keyof ConfigFlags, 'config'>, readonly string[]>> = {
  listen: ['listen'],
  data: ['data'],
  auth: ['auth', 'mode'],
  meta: ['meta', 'url'],
  blobs: ['blobs', 'url'],
  insecure: ['auth', 'insecure'],
};

function invalid(message: string, detail?: Record<string, unknown>): RegistryError {
  return new RegistryError('INVALID_REQUEST', message, detail);
}

function flagOverrides(flags: ConfigFlags): Override[] {
  const out: Override[] = [];
  for (const [name, value] of Object.entries(flags)) {
    if (value === undefined || name === 'config') continue;
    const path = (FLAG_PATHS as Record<string, readonly string[] | undefined>)[name];
    if (!path) throw invalid(`unknown config flag --${name}; known: ${['config', ...Object.keys(FLAG_PATHS)].map((f) => `--${f}`).join(', ')}`);
    out.push({ path, value, source: `flag --${name}` });
  }
  return out;
}

function readConfigFile(file: string, cwd: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw invalid(code === 'ENOENT' ? `${file}: config file not found` : `${file}: cannot read config file (${code ?? (e as Error).message})`);
  }
  // YAML 1.2 is a superset of JSON, so one parser reads both; unique keys and the core schema ("yes" stays a string).
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const [error] = doc.errors;
  if (error) throw invalid(`${file}: invalid YAML: ${error.message.split('\n')[0]}`);
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) throw invalid(`${file}: expected a mapping of config sections at the top level`);
  // `key:` with nothing after it (e.g. a section whose lines are all commented out) means "not set", not null.
  return dropNulls(value);
}

function describeIssue(issue: z.core.$ZodIssue, merged: unknown, label: (path: readonly PropertyKey[]) => string): string[] {
  const at = (path: readonly PropertyKey[]): string => (path.length > 0 ? `${path.map(String).join('.')}: ` : '');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${label([...issue.path, key])}: ${at([...issue.path, key])}unknown key`);
  }
  // Our own checks quote the value already; zod's built-in ones do not, and the value is often the quickest clue.
  const value = issue.code === 'custom' ? undefined : getPath(merged, issue.path);
  const got = value === undefined || typeof value === 'object' ? '' : ` (got ${JSON.stringify(value)})`;
  return [`${label(issue.path)}: ${at(issue.path)}${issue.message}${got}`];
}

/** `scheme:path` with the path made absolute; no URL means the default inside the data directory. */
function localStoreUrl(url: string | undefined, scheme: string, fallback: string, cwd: string): string {
  if (url === undefined) return `${scheme}:${fallback}`;
  if (!url.startsWith(`${scheme}:`)) return url;
  const rest = url.slice(scheme.length + 1).replace(/^\/\//, '');
  return `${scheme}:${rest === '' ? fallback : resolve(cwd, rest)}`;
}

/**
 * Builds the configuration from defaults, then the file (YAML or JSON), then BERTH_* environment variables, then flags —
 * each later source winning key by key. Throws RegistryError('INVALID_REQUEST') naming the source (file, variable or
 * flag) and key path of every problem, e.g. `berth.yaml: uploads.idleTimeout: invalid duration "abc": ...`.
 */
export function loadConfig(options: LoadOptions): Config {
  const { env, flags = {}, cwd = process.cwd() } = options;
  const file = flags.config ?? options.file ?? configFileFromEnv(env);
  const fromEnv = envOverrides(env);
  const fromFlags = flagOverrides(flags);

  const merged: Record<string, unknown> = file === undefined ? {} : readConfigFile(file, cwd);
  for (const o of [...fromEnv, ...fromFlags]) setPath(merged, o.path, o.value);

  const result = configSchema.safeParse(merged);
  if (!result.success) {
    // The last source to set a key (or a section above it) is the one to blame for its value.
    const overrides = [...fromFlags, ...fromEnv];
    const label = (path: readonly PropertyKey[]): string => {
      const o = overrides.find((x) => x.path.length <= path.length && x.path.every((k, i) => path[i] === k) && getPath(merged, x.path) === x.value);
      return o?.source ?? file ?? 'config';
    };
    const problems = result.error.issues.flatMap((issue) => describeIssue(issue, merged, label));
    throw invalid(problems.join('; '), { problems });
  }

  const config = result.data;
  config.data = resolve(cwd, config.data);
  config.meta.url = localStoreUrl(config.meta.url, 'sqlite', join(config.data, 'meta.db'), cwd);
  config.blobs.url = localStoreUrl(config.blobs.url, 'file', config.data, cwd);
  return deepFreeze(config);
}
