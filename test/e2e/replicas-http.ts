// Raw HTTP for the replica tests: every call can be pinned to one replica through the proxy, carries the access
// key as Basic auth, and small images are pushed and pulled with every byte checked.
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import type { AccessKey } from './replicas-cluster.ts';
import { PIN_HEADER } from './replicas-proxy.ts';

export const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const ACCEPT = [OCI_MANIFEST, 'application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  header(name: string): string | undefined;
}

export interface CallOptions {
  body?: Uint8Array;
  headers?: Record<string, string>;
  /** Send to this replica (through the proxy); default: the proxy's round-robin. */
  replica?: number;
}

export class ReplicaHttp {
  readonly base: string;
  readonly #auth: string | undefined;
  readonly #agent = new Agent({ connections: 16, keepAliveTimeout: 5_000, headersTimeout: 30_000, bodyTimeout: 30_000 });

  constructor(base: string, key?: AccessKey) {
    this.base = base;
    this.#auth = key ? `Basic ${Buffer.from(`${key.accessKeyId}:${key.secretAccessKey}`).toString('base64')}` : undefined;
  }

  async call(method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', target: string, o: CallOptions = {}): Promise<Reply> {
    const url = new URL(target, this.base);
    const headers: Record<string, string> = { ...o.headers };
    if (this.#auth) headers.authorization = this.#auth;
    if (o.replica !== undefined) headers[PIN_HEADER] = String(o.replica);
    if (o.body !== undefined) headers['content-length'] = String(o.body.length);
    else if (method === 'PUT' || method === 'POST' || method === 'PATCH') headers['content-length'] = '0';
    const r = await request(new URL(url.pathname + url.search, this.base), { method, headers, body: o.body, dispatcher: this.#agent });
    const body = Buffer.from(await r.body.arrayBuffer());
    const h = r.headers;
    return { status: r.statusCode, headers: h, body, header: (n) => (Array.isArray(h[n]) ? (h[n] as string[])[0] : (h[n] as string | undefined)) };
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

export const describe = (r: Reply, what: string): string => `${what} -> ${r.status} ${r.body.toString('utf8').slice(0, 300)}`;

export interface SmallImage {
  blobs: Buffer[];
  manifest: Buffer;
  digest: string;
}

/** A config and `layers` random layers (unique bytes, so every blob is this image's own). */
export function smallImage(layers = 2, layerBytes = 2048): SmallImage {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', nonce: randomBytes(8).toString('hex') }));
  const blobs = [config, ...Array.from({ length: layers }, () => randomBytes(layerBytes))];
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: blobs.slice(1).map((b) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(b), size: b.length })),
    }),
  );
  return { blobs, manifest, digest: sha256(manifest) };
}

/** Monolithic upload (POST, then PUT ?digest=); returns the final status (201 expected). */
export async function pushBlob(h: ReplicaHttp, repo: string, blob: Buffer): Promise<number> {
  const post = await h.call('POST', `/v2/${repo}/blobs/uploads/`);
  if (post.status !== 202) throw new Error(describe(post, `POST upload in ${repo}`));
  const loc = new URL(post.header('location')!, h.base);
  loc.searchParams.set('digest', sha256(blob));
  const put = await h.call('PUT', loc.pathname + loc.search, { body: blob, headers: { 'content-type': 'application/octet-stream' } });
  return put.status;
}

/** Pushes every blob, then the manifest under `tag`; throws on anything but the expected statuses. */
export async function pushImage(h: ReplicaHttp, repo: string, tag: string, img: SmallImage): Promise<void> {
  for (const b of img.blobs) {
    const s = await pushBlob(h, repo, b);
    if (s !== 201) throw new Error(`blob push in ${repo}: ${s}`);
  }
  const put = await h.call('PUT', `/v2/${repo}/manifests/${tag}`, { body: img.manifest, headers: { 'content-type': OCI_MANIFEST } });
  if (put.status !== 201) throw new Error(describe(put, `PUT ${repo}:${tag}`));
}

/** Pulls `ref` and every blob it names; returns what went wrong, or null when every byte hashes right. */
export async function pullProblem(h: ReplicaHttp, repo: string, ref: string, img: SmallImage, replica?: number): Promise<string | null> {
  const m = await h.call('GET', `/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT }, replica });
  if (m.status !== 200 || sha256(m.body) !== img.digest) return `${repo}:${ref} answered ${m.status} (${sha256(m.body)}, want ${img.digest})`;
  for (const b of img.blobs) {
    const g = await h.call('GET', `/v2/${repo}/blobs/${sha256(b)}`, { replica });
    if (g.status !== 200 || !g.body.equals(b)) return `${repo}@${img.digest}: blob ${sha256(b)} answered ${g.status} with ${g.body.length} bytes`;
  }
  return null;
}
