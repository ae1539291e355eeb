// Loads the one config: defaults < file < environment < flags, validated once and deep-frozen, so nothing
// downstream re-reads env vars or mutates settings.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ZodError } from 'zod';
import { RegistryError } from '../core/index.ts';
import { configSchema, type Config } from './schema.ts';

export interface LoadOptions {
  /** Config file (YAML or JSON); BERTH_CONFIG names one too. */
  file?: string | undefined;
  env: Record<string, string | undefined>;
  /** Command-line flags: listen, data, auth, meta, blobs, insecure. */
  flags?: Record<string, unknown>;
}

type Tree = Record<string, unknown>;

/** Env vars with a fixed meaning; any other BERTH_<SECTION>_<KEY> sets section.key (KEY in snake case). */
const NAMED_ENV: Record<string, string[]> = {
  BERTH_LISTEN: ['listen'], BERTH_DATA: ['data'], BERTH_AUTH: ['auth', 'mode'], BERTH_LOG_LEVEL: ['log', 'level'],
  BERTH_META: ['meta', 'url'], BERTH_BLOBS: ['blobs', 'url'], BERTH_INSECURE: ['auth', 'insecure'],
};
const FLAG_PATHS: Record<string, string[]> = {
  listen: ['listen'], data: ['data'], auth: ['auth', 'mode'], meta: ['meta', 'url'], blobs: ['blobs', 'url'], insecure: ['auth', 'insecure'],
};

function set(tree: Tree, path: string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

function envValue(raw: string): unknown {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return /^\d{1,15}$/.test(raw) ? Number(raw) : raw;
}

function applyEnv(tree: Tree, env: Record<string, string | undefined>): void {
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined || !name.startsWith('BERTH_') || name === 'BERTH_CONFIG') continue;
    const named = NAMED_ENV[name];
    if (named) {
      set(tree, named, named[0] === 'listen' || named[0] === 'data' || named[1] === 'url' ? raw : envValue(raw));
      continue;
    }
    const m = /^BERTH_([A-Z]+)_([A-Z0-9_]+)$/.exec(name);
    if (!m) continue;
    const key = m[2]!.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    set(tree, [m[1]!.toLowerCase(), key], envValue(raw));
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function readFile(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RegistryError('INVALID_REQUEST', `${file}: cannot read config file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new RegistryError('INVALID_REQUEST', `${file}: not valid YAML/JSON: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new RegistryError('INVALID_REQUEST', `${file}: the config must be a mapping of sections`);
  // A section whose keys are all commented out parses as null: treat it as empty, i.e. all defaults.
  return Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== null));
}

function describe(error: ZodError, source: string): string {
  return error.issues.map((i) => {
    const path = i.path.join('.');
    const keys = i.code === 'unrecognized_keys' ? ` ${i.keys.map((k) => (path ? `${path}.${k}` : k)).join(', ')}` : '';
    return `${source}: ${path || '(top level)'}: ${i.message}${keys}`;
  }).join('; ');
}

export function loadConfig(options: LoadOptions): Config {
  const file = options.file ?? options.env.BERTH_CONFIG;
  const tree: Tree = file ? readFile(file) : {};
  applyEnv(tree, options.env);
  for (const [flag, value] of Object.entries(options.flags ?? {})) {
    const path = FLAG_PATHS[flag];
    if (!path) throw new RegistryError('INVALID_REQUEST', `unknown config flag ${flag}`);
    if (value !== undefined) set(tree, path, value);
  }
  const parsed = configSchema.safeParse(tree);
  if (!parsed.success) throw new RegistryError('INVALID_REQUEST', describe(parsed.error, file ?? 'config'));
  return deepFreeze({ ...parsed.data, data: resolve(parsed.data.data) });
}
