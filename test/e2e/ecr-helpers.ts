// Shared plumbing for the ECR dialect's end-to-end tests: berth with access keys, the real aws CLIs (every distinct
// one on this machine, run with private config), the official SDK pointed at berth, hand-signed raw calls for the
// SigV4 cases, and assertions on ECR's error shape ({"__type","message"} with HTTP 400).
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { accessSync, constants, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { StartOptions } from './harness.ts';
import { type Key, type KeyedBerth, startKeyedBerth } from './key-helpers.ts';
import type { Client, Res } from './oci-helpers.ts';

export { AuthClient, basic, createKey, type Key, keyBasic } from './key-helpers.ts';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
export const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921';
export const AMZ_JSON = 'application/x-amz-json-1.1';

export const arnOf = (name: string, region = REGION, account = ACCOUNT): string => `arn:aws:ecr:${region}:${account}:repository/${name}`;

/** A repository name unique to this run (ECR's pattern: lowercase, digits, separators, slashes). */
let counter = 0;
export function ecrRepo(area: string): string {
  return `ecr-${area}/r${process.pid.toString(36)}-${(++counter).toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

export interface EcrBerth extends KeyedBerth {
  sdk: ECRClient;
}

/** berth with auth required (unless `auth: 'none'`) and an admin key; the SDK client signs with that key. */
export async function startEcrBerth(options: StartOptions & { auth?: 'required' | 'none' } = {}): Promise<EcrBerth> {
  const keyed = await startKeyedBerth('ecr-admin', options);
  const sdk = ecrClient(keyed.berth.url, keyed.admin);
  return {
    ...keyed,
    sdk,
    dispose: async () => {
      sdk.destroy();
      await keyed.dispose();
    },
  };
}

/** The official SDK client pointed at berth; no retries, so a refusal is seen once and fast. */
export function ecrClient(url: string, key: Key, region = REGION): ECRClient {
  return new ECRClient({ region, endpoint: url, credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }, maxAttempts: 1 });
}

/** What the SDK throws for a service error. */
export interface SdkError {
  name: string;
  message: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

/** Awaits a call that must fail with the named ECR error (one of; HTTP 400 unless `status` says otherwise); returns it. */
export async function sdkRejects(
  call: Promise<unknown>,
  name: string | string[],
  message?: string | RegExp,
  status: number | number[] = 400,
): Promise<SdkError> {
  let result: unknown;
  try {
    result = await call;
  } catch (e) {
    const err = e as SdkError;
    const names = typeof name === 'string' ? [name] : name;
    assert.ok(names.includes(err.name), `expected ${names.join(' or ')}, got ${err.name} (HTTP ${err.$metadata?.httpStatusCode}): ${err.message}`);
    const statuses = typeof status === 'number' ? [status] : status;
    assert.ok(statuses.includes(err.$metadata?.httpStatusCode ?? -1), `${name}: HTTP ${err.$metadata?.httpStatusCode}, expected ${statuses.join(' or ')}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    else assert.ok(err.message.length > 0, `${name} without a message`);
    return err;
  }
  assert.fail(`expected ${String(name)}, but the call succeeded: ${JSON.stringify(result).slice(0, 500)}`);
}

/** AWS's message texts, which the CLI prints and scripts grep for. */
export const messages = {
  notFound: (name: string): string => `The repository with name '${name}' does not exist in the registry with id '${ACCOUNT}'`,
  notEmpty: (name: string): string => `The repository with name '${name}' in registry with id '${ACCOUNT}' cannot be deleted because it still contains images`,
  exists: (name: string): string => `The repository with name '${name}' already exists in the registry with id '${ACCOUNT}'`,
};

/** node:crypto behind the hash interface @smithy/signature-v4 wants (HMAC when given a secret). */
export class NodeSha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

function toBytes(x: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof x === 'string') return Buffer.from(x, 'utf8');
  if (ArrayBuffer.isView(x)) return Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  return Buffer.from(x);
}

export interface RawCall {
  /** Sign with this key (unsigned when absent). */
  key?: Key;
  /** The signing instant (default now). */
  date?: Date;
  region?: string;
  service?: string;
  /** The body actually sent, when it must differ from the signed one (tampering). */
  sendBody?: string;
  /** Headers added after signing (unsigned). */
  extraHeaders?: Record<string, string>;
  /** The X-Amz-Target as sent (default the ECR prefix + op). */
  target?: string;
  /**
   * Send and sign x-amz-content-sha256 (the JS signer's default); false signs like botocore (the aws CLI) does for
   * ECR, so only the signature itself covers the body.
   */
  checksum?: boolean;
}

/** An ECR call built by hand: JSON 1.1 to POST /, optionally SigV4-signed with @smithy/signature-v4. */
export async function ecrRaw(c: Client, op: string, body: unknown, o: RawCall = {}): Promise<Res> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    host: `${c.hostname}:${c.port}`,
    'content-type': AMZ_JSON,
    'x-amz-target': o.target ?? `${TARGET_PREFIX}.${op}`,
    'content-length': String(Buffer.byteLength(text)),
  };
  let sent = headers;
  if (o.key) {
    const signer = new SignatureV4({
      service: o.service ?? 'ecr',
      region: o.region ?? REGION,
      sha256: NodeSha256,
      applyChecksum: o.checksum ?? true,
      credentials: { accessKeyId: o.key.accessKeyId, secretAccessKey: o.key.secretAccessKey },
    });
    const request = new HttpRequest({ method: 'POST', protocol: 'http:', hostname: c.hostname, port: c.port, path: '/', headers, body: text });
    const signed = await signer.sign(request, { signingDate: o.date ?? new Date() });
    sent = signed.headers as Record<string, string>;
  }
  const payload = o.sendBody ?? text;
  return c.req('POST', '/', { body: payload, headers: { ...sent, 'content-length': String(Buffer.byteLength(payload)), ...(o.extraHeaders ?? {}) } });
}

export interface EcrErrorBody {
  __type: string;
  message: string;
}

/** Asserts ECR's error answer: the status (400 unless told), the JSON 1.1 body with `__type` (one of) and a message. */
export function assertEcrError(res: Res, type: string | readonly string[], status: number | readonly number[] = 400): EcrErrorBody {
  const statuses = typeof status === 'number' ? [status] : status;
  assert.ok(statuses.includes(res.status), `${res.describe()}: expected HTTP ${statuses.join(' or ')}`);
  assert.match(res.header('content-type') ?? '', /^application\/(x-amz-json-1\.1|json)/, `${res.describe()}: error bodies are JSON`);
  const body = res.json<EcrErrorBody>();
  // Clients keep what follows a '#' and precedes a ':' (Smithy's rule); compare the sanitised name.
  const name = String(body.__type ?? '')
    .split(':')[0]!
    .split('#')
    .at(-1);
  const types = typeof type === 'string' ? [type] : type;
  assert.ok(types.includes(name ?? ''), `${res.describe()}: expected __type ${types.join(' or ')}`);
  assert.equal(typeof body.message, 'string', `${res.describe()}: no message`);
  assert.ok(body.message.length > 0, `${res.describe()}: empty message`);
  return body;
}

/** Asserts a 200 JSON 1.1 answer and returns its body. */
export function ecrOk<T = Record<string, unknown>>(res: Res): T {
  assert.equal(res.status, 200, res.describe());
  assert.match(res.header('content-type') ?? '', /^application\/x-amz-json-1\.1/, res.describe());
  return res.json<T>();
}

// ---- the aws CLIs ----------------------------------------------------------------------------------------------

export interface AwsCli {
  path: string;
  /** e.g. "aws-cli/2.9.19" */
  version: string;
  major: number;
  /** The exit code for a service error: 254 (v2) or 255 (v1). */
  serviceErrorExit: number;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where the CLIs run: a directory of their own, so no `.python-version` or config of the checkout steers pyenv. */
const CLI_CWD = mkdtempSync(join(tmpdir(), 'berth-aws-'));
process.on('exit', () => rmSync(CLI_CWD, { recursive: true, force: true }));

/** Every distinct aws CLI: each `aws` on PATH and /usr/bin/aws (Debian's v2), one per real file and version. */
export function findAwsClis(): AwsCli[] {
  const candidates = [
    ...(process.env.PATH ?? '')
      .split(':')
      .filter(Boolean)
      .map((d) => join(d, 'aws')),
    '/usr/bin/aws',
  ];
  const seenFiles = new Set<string>();
  const byVersion = new Map<string, AwsCli>();
  for (const path of candidates) {
    if (!isExecutable(path)) continue;
    const real = realpathSync(path);
    if (seenFiles.has(real)) continue;
    seenFiles.add(real);
    let out: string;
    try {
      out = execFileSync(path, ['--version'], { cwd: CLI_CWD, env: cliEnv(undefined), encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      continue;
    }
    const m = /aws-cli\/(\d+)\.[\d.]+/.exec(out);
    if (!m || byVersion.has(m[0])) continue;
    const major = Number(m[1]);
    byVersion.set(m[0], { path, version: m[0], major, serviceErrorExit: major >= 2 ? 254 : 255 });
  }
  return [...byVersion.values()].sort((a, b) => b.major - a.major);
}

/** The CLIs to test with, or the skip reason; under CI=true a missing v2 fails instead (scripts/test.sh installs it). */
export function awsClisOrSkip(): { clis: AwsCli[]; skip: false | string } {
  const clis = findAwsClis();
  if (process.env.CI === 'true' && !clis.some((c) => c.major === 2)) {
    throw new Error(
      `aws CLI v2 required under CI=true (scripts/test.sh installs Debian's awscli); found: ${clis.map((c) => `${c.path} ${c.version}`).join(', ') || 'none'}`,
    );
  }
  if (clis.length === 0) return { clis, skip: 'no aws CLI installed (scripts/test.sh installs awscli v2 when run as root)' };
  return { clis, skip: false };
}

/**
 * The machine's environment without any AWS setting, plus private config files and the given key. Retries stay at the
 * CLI's defaults, as users have them: a 4xx is not retried, and the error line is then exactly AWS's.
 */
function cliEnv(key: Key | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^AWS_/.test(k)) env[k] = v;
  Object.assign(env, {
    AWS_CONFIG_FILE: join(CLI_CWD, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(CLI_CWD, 'credentials'),
    AWS_DEFAULT_REGION: REGION,
    AWS_REGION: REGION,
    AWS_PAGER: '',
    AWS_CLI_AUTO_PROMPT: 'off',
    AWS_EC2_METADATA_DISABLED: 'true',
    PYTHONWARNINGS: 'ignore',
  });
  if (key) Object.assign(env, { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey });
  return env;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** What the run was, for assertion messages. */
  describe(): string;
  json<T = Record<string, unknown>>(): T;
}

/** Runs `aws --endpoint-url URL --output json ecr <args>` (bounded: 60 s) and returns its exit code and output. */
export function aws(cli: AwsCli, url: string, key: Key, args: string[]): Promise<CliResult> {
  const full = ['--endpoint-url', url, '--output', 'json', '--region', REGION, 'ecr', ...args];
  return new Promise((resolve) => {
    execFile(cli.path, full, { cwd: CLI_CWD, env: cliEnv(key), encoding: 'utf8', timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const e = error as (Error & { code?: number | string; killed?: boolean }) | null;
      const code = e === null ? 0 : typeof e.code === 'number' ? e.code : -1;
      const describe = (): string =>
        `${cli.version} ecr ${args.join(' ').slice(0, 300)} -> exit ${code}${e?.killed ? ' (killed after 60 s)' : ''}\n${stdout.slice(0, 1500)}${stderr.slice(0, 1500)}`;
      resolve({
        code,
        stdout,
        stderr,
        describe,
        json: <T>() => {
          try {
            return JSON.parse(stdout) as T;
          } catch {
            throw new assert.AssertionError({ message: `${describe()}: stdout is not JSON` });
          }
        },
      });
    });
  });
}

/** Asserts a CLI run succeeded and returns its JSON output ({} when it printed nothing). */
export function cliOk<T = Record<string, unknown>>(r: CliResult): T {
  assert.equal(r.code, 0, r.describe());
  return (r.stdout.trim() === '' ? {} : r.json<T>()) as T;
}

/** Asserts the CLI's service-error exit (254 for v2, 255 for v1) and its one-line message, and returns that message. */
export function cliFails(cli: AwsCli, r: CliResult, type: string, operation: string, message?: string): string {
  assert.equal(r.code, cli.serviceErrorExit, r.describe());
  const m = new RegExp(`An error occurred \\(${type}\\) when calling the ${operation} operation: (.*)`).exec(r.stderr);
  assert.ok(m, `${r.describe()}: no "An error occurred (${type}) when calling the ${operation} operation" line`);
  if (message !== undefined) assert.equal(m[1]!.trim(), message, r.describe());
  return m[1]!.trim();
}

/** Epoch seconds as ECR sends them: a number, close to now. */
export function assertRecentEpochSeconds(value: unknown, what: string, slackSeconds = 600): void {
  assert.equal(typeof value, 'number', `${what} must be a JSON number of epoch seconds, got ${JSON.stringify(value)}`);
  const now = Date.now() / 1000;
  assert.ok(Math.abs((value as number) - now) < slackSeconds, `${what} = ${value} is not within ${slackSeconds} s of now (${now})`);
}

/** Untagged: keep the newest one (priority 1); tags starting with v: keep the newest two (priority 2). Spaced on purpose. */
export const LIFECYCLE_POLICY = `{
  "rules": [
    { "rulePriority": 1, "description": "old untagged", "selection": { "tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1 }, "action": { "type": "expire" } },
    { "rulePriority": 2, "selection": { "tagStatus": "tagged", "tagPrefixList": ["v"], "countType": "imageCountMoreThan", "countNumber": 2 }, "action": { "type": "expire" } }
  ]
}`;
