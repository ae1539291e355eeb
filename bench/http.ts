// The registry calls the benchmark makes from the main thread, the way clients make them, over keep-alive
// connections; every response status is checked so a fast error is never counted as a fast success.
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';

export const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });

export const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MANIFEST_ACCEPT = [
  OCI_MANIFEST,
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

type Body = Uint8Array | string;

async function call(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string | URL,
  expected: number,
  what: string,
  opts: { body?: Body; headers?: Record<string, string> } = {},
): Promise<{ headers: Record<string, string | string[] | undefined>; text: string }> {
  const r = await request(url, { method, dispatcher: agent, body: opts.body, headers: opts.headers, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const text = await r.body.text();
  if (r.statusCode !== expected) throw new Error(`${what}: ${method} ${String(url)} answered ${r.statusCode}, expected ${expected}: ${text.slice(0, 300)}`);
  return { headers: r.headers, text };
}

/** POST /blobs/uploads/: the session's absolute URL from Location. */
export async function startUpload(base: string, repo: string): Promise<URL> {
  const start = await call('POST', `${base}/v2/${repo}/blobs/uploads/`, 202, 'start upload');
  const url = new URL(String(start.headers.location), base);
  if (url.host !== new URL(base).host) throw new Error(`start upload: Location points away from ${base}: ${url.href}`);
  return url;
}

/** POST for a session, then one PUT with the whole body and ?digest= (how clients push monolithically). */
export async function pushBlob(base: string, repo: string, body: Body, size: number, digest: string): Promise<void> {
  const url = await startUpload(base, repo);
  url.searchParams.set('digest', digest);
  await call('PUT', url, 201, 'finish upload', { body, headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) } });
}

export interface SmallImage {
  config: Buffer;
  layer: Buffer;
  manifest: Buffer;
  digest: string;
}

/** A distinct image: a config and one random layer of `layerBytes`, and an OCI manifest naming both. */
export function makeSmallImage(layerBytes = 1024): SmallImage {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, seed: randomBytes(8).toString('hex') }),
  );
  const layer = randomBytes(layerBytes);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
    }),
  );
  return { config, layer, manifest, digest: sha(manifest) };
}

export async function putManifest(base: string, repo: string, ref: string, manifest: Buffer): Promise<void> {
  await call('PUT', `${base}/v2/${repo}/manifests/${ref}`, 201, 'put manifest', { body: manifest, headers: { 'content-type': OCI_MANIFEST } });
}

/** Blobs first, then the manifest under `tag`, as docker/podman/skopeo push. */
export async function pushSmallImage(base: string, repo: string, tag: string, img: SmallImage): Promise<void> {
  await pushBlob(base, repo, img.config, img.config.length, sha(img.config));
  await pushBlob(base, repo, img.layer, img.layer.length, sha(img.layer));
  await putManifest(base, repo, tag, img.manifest);
}

export async function deleteManifest(base: string, repo: string, digest: string): Promise<void> {
  await call('DELETE', `${base}/v2/${repo}/manifests/${digest}`, 202, 'delete manifest');
}

/** GET once and return the body, to check what the load generator is about to hammer. */
export async function getText(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ text: string; headers: Record<string, string | string[] | undefined> }> {
  return call('GET', `${base}${path}`, 200, 'probe', { headers });
}

/**
 * Runs task(0..count-1) with `concurrency` in flight until all are done or `seconds` pass (no new task starts
 * after the deadline); the first failure fails the run.
 */
export async function bounded(
  count: number,
  seconds: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<{ done: number; seconds: number; perSecond: number }> {
  let next = 0;
  let done = 0;
  let failed = false;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!failed && next < count && performance.now() < deadline) {
        try {
          await task(next++);
        } catch (e) {
          failed = true;
          throw e;
        }
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { done, seconds: elapsed, perSecond: done / elapsed };
}
