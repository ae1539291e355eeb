// Shared plumbing for the OCI Distribution conformance tests: raw HTTP (no URL normalisation), the registry
// under test (berth, or any registry named by OCI_TEST_URL to check the tests themselves), push helpers and
// assertions on the spec's error envelope.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { after, before } from 'node:test';
import { type RunningBerth, type StartOptions, startBerth } from './harness.ts';
import { assertStatus, withQuery } from './oci-checks.ts';

/** When set, tests talk to this registry instead of starting berth (used to validate the tests on Distribution). */
export const EXTERNAL_URL = process.env.OCI_TEST_URL?.replace(/\/+$/, '');
/** The external registry's storage directory, if known, for the "nothing written outside the data dir" checks. */
export const EXTERNAL_DATA_DIR = process.env.OCI_TEST_DATA_DIR;
/** A skip reason for tests that must control the server process. */
export const NEEDS_BERTH: string | false = EXTERNAL_URL ? 'OCI_TEST_URL points at an external registry; this test restarts berth itself' : false;

export const MT = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  empty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** What docker, containerd and oras send when pulling a manifest. */
export const ACCEPT_MANIFESTS = [MT.ociManifest, MT.ociIndex, MT.dockerManifest, MT.dockerList].join(', ');

/** The OCI empty descriptor: the two bytes "{}". */
export const EMPTY_JSON = Buffer.from('{}');
export const EMPTY_DESCRIPTOR = {
  mediaType: MT.empty,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

export const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
export const sha512 = (b: Uint8Array): string => `sha512:${createHash('sha512').update(b).digest('hex')}`;
export const random = (n: number): Buffer => randomBytes(n);
export const randomHex = (bytes = 4): string => randomBytes(bytes).toString('hex');

/** A repository name unique to this run, so tests never see each other's content on a shared registry. */
export function repoName(area: string, suffix = ''): string {
  return `oci-${area}/${randomHex()}${suffix}`;
}

export interface Res {
  method: string;
  /** The path as sent. */
  path: string;
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** A single header value (joined when repeated). */
  header(name: string): string | undefined;
  json<T = unknown>(): T;
  /** "METHOD path -> status body", for assertion messages. */
  describe(): string;
}

export interface ReqOptions {
  headers?: Record<string, string | number>;
  /** Sent with a Content-Length equal to its size unless a content-length header is given. */
  body?: Uint8Array | string;
  /** Sent piece by piece with Transfer-Encoding: chunked (no Content-Length), as a streaming client does. */
  stream?: Uint8Array[];
  timeoutMs?: number;
}

/** A registry endpoint that sends paths exactly as given: fetch would resolve "..", which the attack tests need. */
export class Client {
  readonly url: string;
  readonly hostname: string;
  readonly port: number;

  constructor(url: string) {
    const u = new URL(url);
    this.url = url.replace(/\/+$/, '');
    this.hostname = u.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(u.port || 80);
  }

  /** `target` is a raw path ("/v2/..."), or an absolute or relative Location the server gave. */
  req(method: string, target: string, options: ReqOptions = {}): Promise<Res> {
    let hostname = this.hostname;
    let port = this.port;
    let path = target;
    if (/^https?:\/\//i.test(target)) {
      const u = new URL(target);
      hostname = u.hostname.replace(/^\[|\]$/g, '');
      port = Number(u.port || 80);
      path = u.pathname + u.search;
    }
    const headers: Record<string, string | number> = { ...(options.headers ?? {}) };
    const has = (h: string): boolean => Object.keys(headers).some((k) => k.toLowerCase() === h);
    const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    if (body !== undefined && !has('content-length')) headers['content-length'] = body.length;
    if (body === undefined && options.stream === undefined && ['POST', 'PUT', 'PATCH'].includes(method) && !has('content-length')) {
      headers['content-length'] = 0;
    }
    if (options.stream !== undefined) headers['transfer-encoding'] = 'chunked';
    return new Promise<Res>((resolve, reject) => {
      const req = httpRequest({ hostname, port, path, method, headers, agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('error', (e) => reject(new Error(`${method} ${path} -> ${res.statusCode} ${JSON.stringify(res.headers)}: ${e.message}`)));
        res.on('end', () => {
          const buf = Buffer.concat(parts);
          const text = buf.toString('utf8');
          const status = res.statusCode ?? 0;
          const result: Res = {
            method,
            path,
            status,
            headers: res.headers,
            body: buf,
            text,
            header: (name) => {
              const v = res.headers[name.toLowerCase()];
              return Array.isArray(v) ? v.join(', ') : v;
            },
            json: <T>() => {
              try {
                return JSON.parse(text) as T;
              } catch {
                throw new assert.AssertionError({ message: `${method} ${path} -> ${status}: body is not JSON: ${text.slice(0, 300)}` });
              }
            },
            describe: () => `${method} ${path.length > 200 ? `${path.slice(0, 200)}...` : path} -> ${status} ${text.slice(0, 300)}`,
          };
          resolve(result);
        });
      });
      req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error(`${method} ${path}: no answer within ${options.timeoutMs ?? 30_000} ms`)));
      req.on('error', (e) => reject(new Error(`${method} ${path}: ${e.message}`)));
      if (options.stream !== undefined) {
        for (const piece of options.stream) req.write(piece);
        req.end();
      } else {
        req.end(body);
      }
    });
  }

  get(path: string, options?: ReqOptions): Promise<Res> {
    return this.req('GET', path, options);
  }

  head(path: string, options?: ReqOptions): Promise<Res> {
    return this.req('HEAD', path, options);
  }
}

export interface Target {
  url: string;
  client: Client;
  /** Where the registry keeps its data, when known. */
  dataDir: string | undefined;
  berth: RunningBerth | undefined;
  dispose(): Promise<void>;
}

/** The registry under test: a fresh berth process, or the external one named by OCI_TEST_URL. */
export async function openTarget(options: StartOptions = {}): Promise<Target> {
  if (EXTERNAL_URL) {
    return { url: EXTERNAL_URL, client: new Client(EXTERNAL_URL), dataDir: EXTERNAL_DATA_DIR, berth: undefined, dispose: async () => undefined };
  }
  const berth = await startBerth(options);
  return { url: berth.url, client: new Client(berth.url), dataDir: berth.dataDir, berth, dispose: () => berth.dispose() };
}

/**
 * Opens the registry under test for the enclosing describe block (before) and disposes of it (after); `use`
 * receives it first, so a later `before` of the block can already push content through it.
 */
export function useTarget(use: (target: Target) => void, options: StartOptions = {}): void {
  let target: Target | undefined;
  before(async () => {
    target = await openTarget(options);
    use(target);
  });
  after(async () => target?.dispose());
}

/** POST then PUT ?digest=, the monolithic push every client does; asserts 201. */
export async function pushBlob(c: Client, repo: string, data: Uint8Array, mediaType: string = MT.ociLayer): Promise<Descriptor> {
  const digest = sha256(data);
  const post = await c.req('POST', `/v2/${repo}/blobs/uploads/`);
  assertStatus(post, 202);
  const location = post.header('location');
  assert.ok(location, `${post.describe()}: no Location`);
  const put = await c.req('PUT', withQuery(location, 'digest', digest), { body: data, headers: { 'content-type': 'application/octet-stream' } });
  assertStatus(put, 201);
  return { mediaType, digest, size: data.length };
}

export function descriptorOf(mediaType: string, data: Uint8Array, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType, digest: sha256(data), size: data.length, ...extra };
}

export interface ImageOptions {
  layers?: number;
  layerSize?: number;
  /** Share these already-pushed layers instead of making new ones. */
  useLayers?: Descriptor[];
  configMediaType?: string;
  /** Use the empty descriptor as config, as artifacts do. */
  emptyConfig?: boolean;
  artifactType?: string;
  annotations?: Record<string, string>;
  subject?: Descriptor;
  /** Push the manifest with these exact bytes instead of JSON.stringify of the object. */
  format?: (manifest: Record<string, unknown>) => string;
}

export interface PushedManifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
  descriptor: Descriptor;
  res: Res;
}

export interface PushedImage extends PushedManifest {
  manifest: Record<string, unknown>;
  config: Descriptor;
  layers: Descriptor[];
}

/** PUTs manifest bytes under a tag or digest reference; returns the answer without asserting it. */
export async function putManifest(c: Client, repo: string, ref: string, manifest: Uint8Array | string | object, mediaType?: string): Promise<PushedManifest> {
  const bytes = Buffer.isBuffer(manifest)
    ? manifest
    : typeof manifest === 'string'
      ? Buffer.from(manifest)
      : manifest instanceof Uint8Array
        ? Buffer.from(manifest)
        : Buffer.from(JSON.stringify(manifest));
  const type = mediaType ?? (JSON.parse(bytes.toString()) as { mediaType?: string }).mediaType ?? MT.ociManifest;
  const res = await c.req('PUT', `/v2/${repo}/manifests/${ref}`, { body: bytes, headers: { 'content-type': type } });
  const digest = sha256(bytes);
  return { bytes, digest, mediaType: type, descriptor: { mediaType: type, digest, size: bytes.length }, res };
}

/** Pushes config, layers and an OCI image manifest; tagged when `tag` is given, else by digest. Asserts 201. */
export async function pushImage(c: Client, repo: string, tag?: string, options: ImageOptions = {}): Promise<PushedImage> {
  let config: Descriptor;
  if (options.emptyConfig) {
    await pushBlob(c, repo, EMPTY_JSON, MT.empty);
    config = { ...EMPTY_DESCRIPTOR };
  } else {
    const configBytes = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Labels: { nonce: randomHex(8) } } }),
    );
    config = await pushBlob(c, repo, configBytes, options.configMediaType ?? MT.ociConfig);
  }
  const layers: Descriptor[] = [...(options.useLayers ?? [])];
  for (let i = 0; i < (options.layers ?? (options.useLayers ? 0 : 1)); i++) {
    layers.push(await pushBlob(c, repo, random(options.layerSize ?? 512), MT.ociLayer));
  }
  const manifest: Record<string, unknown> = { schemaVersion: 2, mediaType: MT.ociManifest };
  if (options.artifactType) manifest.artifactType = options.artifactType;
  manifest.config = config;
  manifest.layers = layers;
  if (options.subject) manifest.subject = options.subject;
  if (options.annotations) manifest.annotations = options.annotations;
  const text = options.format ? options.format(manifest) : JSON.stringify(manifest);
  const digest = sha256(Buffer.from(text));
  const pushed = await putManifest(c, repo, tag ?? digest, text, MT.ociManifest);
  assertStatus(pushed.res, 201);
  return { ...pushed, manifest, config, layers };
}

/** Pushes an OCI index over already-pushed manifests; asserts 201. */
export async function pushIndex(
  c: Client,
  repo: string,
  tag: string | undefined,
  children: Descriptor[],
  extra: Record<string, unknown> = {},
): Promise<PushedManifest> {
  const index = { schemaVersion: 2, mediaType: MT.ociIndex, manifests: children, ...extra };
  const bytes = Buffer.from(JSON.stringify(index));
  const pushed = await putManifest(c, repo, tag ?? sha256(bytes), bytes, MT.ociIndex);
  assertStatus(pushed.res, 201);
  return pushed;
}

export * from './oci-checks.ts';
