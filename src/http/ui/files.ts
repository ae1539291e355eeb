// The console's files, read once at start-up into a fixed whitelist (console/ plus the one vendored Preact + htm
// module), each with its content type, ETag and a gzip copy: a request can only ever name one of these, never a path.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface UiFile {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The console's own folder at the repository root (a sibling of src/), where `npm ci && npx berth serve` finds it. */
export const CONSOLE_DIR = resolve(import.meta.dirname, '../../../console');

/** Where the console imports Preact + htm from (console/*.js say `vendor/preact.js`), served from node_modules. */
export const VENDOR_PATH = 'vendor/preact.js';

/** htm's one-file build of Preact, its hooks and htm, as installed (a runtime dependency, no bundler). */
export function vendoredPreact(): string {
  return fileURLToPath(import.meta.resolve('htm/preact/standalone'));
}

const extOf = (name: string): string => name.slice(name.lastIndexOf('.'));
/** Tests live beside the code in console/ too; they are never served. */
const servable = (name: string): boolean => extOf(name) in TYPES && !name.endsWith('.test.js');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : servable(e.name) ? [join(dir, e.name)] : []));
}

/** `name` is what it is served as (its type comes from that: the vendored file is .mjs on disk). */
function load(path: string, name: string): UiFile {
  const body = readFileSync(path);
  const gz = gzipSync(body, { level: 9 });
  return {
    body,
    // Only worth sending when it saves something (tiny files and images can grow).
    gzip: gz.length < body.length ? gz : null,
    type: TYPES[extOf(name)] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
  };
}

/** Every servable file by its path under /ui/ (posix, no leading slash): the whole whitelist. */
export function loadUiFiles(dir: string = CONSOLE_DIR, vendor: string = vendoredPreact()): ReadonlyMap<string, UiFile> {
  const files = new Map<string, UiFile>();
  for (const abs of walk(dir)) {
    const name = relative(dir, abs).split(sep).join('/');
    files.set(name, load(abs, name));
  }
  files.set(VENDOR_PATH, load(vendor, VENDOR_PATH));
  return files;
}
