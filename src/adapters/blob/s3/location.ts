// Reads `s3://BUCKET[/PREFIX]?endpoint=...&region=...&forcePathStyle=true` into checked settings, so a mistyped blob
// URL stops berth at start-up with a message that says what is wrong, instead of failing the first push.
import { RegistryError } from '../../../core/index.ts';

export interface S3Location {
  bucket: string;
  /** Key prefix, "" or ending in "/". */
  prefix: string;
  /** Custom endpoint (Ceph, MinIO, ...); undefined means AWS itself. */
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
}

const PARAMS = ['endpoint', 'region', 'forcePathStyle'] as const;
// S3's bucket naming rules (lowercase, 3-63 characters, no leading or trailing dot or dash).
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// Key characters S3 documents as safe, so keys never need escaping in CopySource or presigned URLs.
const SEGMENT_RE = /^[A-Za-z0-9!_.*'()-]+$/;
const REGION_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

function bad(url: string, why: string): RegistryError {
  const example = 's3://BUCKET[/PREFIX]?endpoint=http://HOST:PORT&region=us-east-1&forcePathStyle=true';
  return new RegistryError('INVALID_REQUEST', `invalid S3 blob store URL "${url}": ${why} (expected ${example})`);
}

function bool(url: string, name: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw bad(url, `${name} must be true or false, not "${value}"`);
}

/** Parses the URL; `env` supplies AWS_REGION when the URL names no region. */
export function parseS3Url(url: string, env: Readonly<Record<string, string | undefined>> = {}): S3Location {
  const m = /^s3:\/\/([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/.exec(url);
  if (!m) throw bad(url, 'it must start with s3:// and have no #fragment');
  const bucket = m[1]!;
  if (!BUCKET_RE.test(bucket) || bucket.includes('..')) throw bad(url, `"${bucket}" is not a valid bucket name`);
  const path = (m[2] ?? '').replace(/^\//, '').replace(/\/$/, '');
  if (path !== '' && !path.split('/').every((s) => SEGMENT_RE.test(s) && s !== '.' && s !== '..')) {
    throw bad(url, `the prefix "${path}" may only hold letters, digits and !_.*'()- between single slashes`);
  }
  const query = new URLSearchParams(m[3] ?? '');
  const seen = new Set<string>();
  for (const key of query.keys()) {
    if (!(PARAMS as readonly string[]).includes(key)) throw bad(url, `unknown parameter "${key}"; known: ${PARAMS.join(', ')}`);
    if (seen.has(key)) throw bad(url, `parameter "${key}" given twice`);
    seen.add(key);
  }
  const endpoint = query.get('endpoint') ?? undefined;
  if (endpoint !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(endpoint);
    } catch {
      throw bad(url, `endpoint "${endpoint}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw bad(url, `endpoint "${endpoint}" must be http:// or https://`);
    if (parsed.pathname !== '/' || parsed.search !== '' || parsed.username !== '') {
      throw bad(url, `endpoint "${endpoint}" must be just scheme, host and port (put a key prefix in the URL path)`);
    }
  }
  const region = query.get('region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (!REGION_RE.test(region)) throw bad(url, `"${region}" is not a region name`);
  const style = query.get('forcePathStyle');
  // Stores other than AWS rarely resolve bucket subdomains, so a custom endpoint defaults to path-style addressing.
  const forcePathStyle = style === null ? endpoint !== undefined : bool(url, 'forcePathStyle', style);
  return { bucket, prefix: path === '' ? '' : `${path}/`, endpoint, region, forcePathStyle };
}
