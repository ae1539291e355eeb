// Repository policies (ECR's IAM-style JSON) parsed once and evaluated per request: a Deny always wins, an Allow can
// add rights a key's grants lack. Kept in auth so the ECR API and /v2 answer the same question the same way.
import { type Action, RegistryError } from '../core/index.ts';

export type Effect = 'Allow' | 'Deny';

export interface PolicyStatement {
  sid: string | null;
  effect: Effect;
  /** Null means everyone ("*"); otherwise the AWS principals named. */
  principals: string[] | null;
  /** Action patterns, lowercased ("ecr:*", "ecr:batch*"). */
  actions: string[];
}

export interface RepositoryPolicy {
  statements: PolicyStatement[];
}

export type PolicyDecision = 'allow' | 'deny' | 'none';

const KNOWN_KEYS = new Set(['Sid', 'Effect', 'Principal', 'Action', 'Resource']);
const UNSUPPORTED_KEYS = ['Condition', 'NotAction', 'NotPrincipal', 'NotResource'];
const MAX_STATEMENTS = 100;
const ACTION_RE = /^(\*|ecr:[A-Za-z*?]+)$/;

function invalid(message: string): never {
  throw new RegistryError('INVALID_REQUEST', `Invalid repository policy provided: ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, where: string): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x): x is string => typeof x === 'string' && x.length > 0)) {
    invalid(`${where} must be a non-empty string or list of strings`);
  }
  return list;
}

/**
 * The principal forms berth can match (see principalNames): "*", an access key id, arn:aws:iam::<id>:user/<key>,
 * arn:aws:iam::<id>:root and a bare 12-digit id. Anything else (partial wildcards, roles, services, federated users)
 * is refused: stored but never matching, a Deny naming it would silently protect nothing.
 */
const MATCHABLE = /^(?:\*|[A-Za-z0-9]{1,128}|\d{12}|arn:aws:iam::\d{12}:(?:root|user\/[A-Za-z0-9]{1,128}))$/;

function parsePrincipal(v: unknown, where: string): string[] | null {
  if (v === '*') return null;
  if (!isObject(v)) invalid(`${where}.Principal must be "*" or {"AWS": ...}`);
  const extra = Object.keys(v).filter((k) => k !== 'AWS');
  if (extra.length > 0) invalid(`${where}.Principal.${extra[0]} is not supported by berth (only "AWS" principals: access keys and account ids)`);
  const aws = stringList(v.AWS, `${where}.Principal.AWS`);
  const odd = aws.find((p) => !MATCHABLE.test(p));
  if (odd !== undefined)
    invalid(
      `${where}.Principal.AWS "${odd.slice(0, 200)}" is not a principal berth can match (use "*", an access key id, arn:aws:iam::<account>:user/<key id>, arn:aws:iam::<account>:root or the account id)`,
    );
  return aws.includes('*') ? null : aws;
}

function parseStatement(v: unknown, i: number): PolicyStatement {
  const where = `Statement[${i}]`;
  if (!isObject(v)) invalid(`${where} must be an object`);
  const unsupported = UNSUPPORTED_KEYS.find((k) => k in v);
  if (unsupported) invalid(`${where}.${unsupported} is not supported by berth`);
  const unknown = Object.keys(v).find((k) => !KNOWN_KEYS.has(k));
  if (unknown) invalid(`${where} has unknown field ${unknown}`);
  if (v.Effect !== 'Allow' && v.Effect !== 'Deny') invalid(`${where}.Effect must be "Allow" or "Deny"`);
  if (v.Sid !== undefined && typeof v.Sid !== 'string') invalid(`${where}.Sid must be a string`);
  if (v.Principal === undefined) invalid(`${where}.Principal is required`);
  const actions = stringList(v.Action, `${where}.Action`);
  const bad = actions.find((a) => !ACTION_RE.test(a));
  if (bad !== undefined) invalid(`${where}.Action "${bad.slice(0, 100)}" is not an ecr: action`);
  return { sid: v.Sid ?? null, effect: v.Effect, principals: parsePrincipal(v.Principal, where), actions: actions.map((a) => a.toLowerCase()) };
}

/** Parses and checks a policy document; throws INVALID_REQUEST saying what is wrong. */
export function parseRepositoryPolicy(text: string): RepositoryPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    invalid('the policy is not valid JSON');
  }
  if (!isObject(doc)) invalid('the policy must be a JSON object');
  const unknown = Object.keys(doc).find((k) => k !== 'Version' && k !== 'Statement' && k !== 'Id');
  if (unknown) invalid(`unknown top-level field ${unknown}`);
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') invalid('Version must be "2012-10-17" or "2008-10-17"');
  const statements = isObject(doc.Statement) ? [doc.Statement] : doc.Statement;
  if (!Array.isArray(statements) || statements.length === 0) invalid('Statement must be a non-empty list');
  if (statements.length > MAX_STATEMENTS) invalid(`at most ${MAX_STATEMENTS} statements`);
  return { statements: statements.map(parseStatement) };
}

/** Glob match with * and ? (the two-pointer algorithm: linear backtracking, no regex built from policy text). */
function wildcard(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < value.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === value[v])) {
      p++;
      v++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = v;
    } else if (star >= 0) {
      p = star + 1;
      v = ++mark;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * The names a caller answers to in a Principal: the bare access key id, arn:aws:iam::<registry>:user/<key id>, and
 * the account (arn:aws:iam::<registry>:root or the bare 12-digit id) for every key. Anonymous callers have none
 * and match only "*".
 */
export function principalNames(keyId: string | null, registryId: string): string[] {
  if (keyId === null) return [];
  return [keyId, `arn:aws:iam::${registryId}:user/${keyId}`, `arn:aws:iam::${registryId}:root`, registryId];
}

/** Deny if any matching statement denies, else allow if one allows, else none. `action` is e.g. "ecr:BatchGetImage". */
export function evaluatePolicy(policy: RepositoryPolicy, names: readonly string[], actions: readonly string[]): PolicyDecision {
  const wanted = actions.map((a) => a.toLowerCase());
  let allowed = false;
  for (const s of policy.statements) {
    const who = s.principals === null || s.principals.some((p) => names.includes(p));
    if (!who || !s.actions.some((p) => wanted.some((a) => wildcard(p, a)))) continue;
    if (s.effect === 'Deny') return 'deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'none';
}

/** The ECR actions a /v2 action stands for in a policy (pull: reading manifests and layers; push: writing them). */
export const ECR_ACTIONS_OF: Record<Action, readonly string[]> = {
  pull: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
  push: ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'],
  delete: ['ecr:BatchDeleteImage'],
  admin: [],
  'pin-sync': [],
};

/** Parsed policies by text: a repository's policy is parsed once however often it is evaluated. */
export class PolicyCache {
  readonly #entries = new Map<string, RepositoryPolicy | null>();
  readonly #max: number;
  constructor(max = 1000) {
    this.#max = max;
  }
  /** The parsed policy, or null when the stored text no longer parses (it then grants and denies nothing). */
  get(text: string): RepositoryPolicy | null {
    if (this.#entries.has(text)) return this.#entries.get(text)!;
    let parsed: RepositoryPolicy | null;
    try {
      parsed = parseRepositoryPolicy(text);
    } catch {
      parsed = null;
    }
    if (this.#entries.size >= this.#max) this.#entries.clear();
    this.#entries.set(text, parsed);
    return parsed;
  }
}
