// The three reports pin sync reads, reduced to one shape: per running container, the references that name its
// image, best first (the digest the node resolved, then the reference the spec asked for). Pure: no I/O here.
import { RegistryError } from '../../errors.ts';

export type DocumentFormat = 'kubectl' | 'podman' | 'list';

export interface RunningContainer {
  /** References in the order to try: a status imageID (what really runs), the spec image, the status image. */
  candidates: string[];
}

export interface ParsedDocument {
  format: DocumentFormat;
  containers: RunningContainer[];
}

const invalid = (why: string): RegistryError => new RegistryError('INVALID_REQUEST', `pin-set document: ${why}`);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** Container spec lists of a pod and the status list that reports on each. */
const KINDS = [
  ['containers', 'containerStatuses'],
  ['initContainers', 'initContainerStatuses'],
  ['ephemeralContainers', 'ephemeralContainerStatuses'],
] as const;

/**
 * One pod's containers (regular, init, ephemeral). A status's imageID is the digest the node pulled (empty while the
 * container waits); a container without a status (pending) has only its spec image.
 */
export function podContainers(pod: Json): RunningContainer[] {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const status = isObject(pod.status) ? pod.status : {};
  const out: RunningContainer[] = [];
  for (const [specKey, statusKey] of KINDS) {
    const statuses = new Map<string, Json>();
    for (const s of list(status[statusKey])) statuses.set(text(s.name) ?? '', s);
    const seen = new Set<string>();
    for (const c of list(spec[specKey])) {
      const name = text(c.name) ?? '';
      seen.add(name);
      const s = statuses.get(name);
      out.push({ candidates: [text(s?.imageID), text(c.image), text(s?.image)].filter((x): x is string => x !== null) });
    }
    for (const [name, s] of statuses) {
      if (!seen.has(name)) out.push({ candidates: [text(s.imageID), text(s.image)].filter((x): x is string => x !== null) });
    }
  }
  return out;
}

/** One line, one reference; blank lines and "#" comments (whole line, or after whitespace) are skipped. */
function plainList(body: string): RunningContainer[] {
  const out: RunningContainer[] = [];
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line.length > 0) out.push({ candidates: [line] });
  }
  return out;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (e) {
    throw invalid(`not valid JSON: ${(e as Error).message.slice(0, 200)}`);
  }
}

/**
 * Reads a report: a JSON object is kubectl's (a List of pods, or one Pod), a JSON array podman's (`podman ps
 * --format json`: its Image is the reference; ImageID is a local id, not a registry digest), anything else a plain
 * list of references. A report with nothing in it at all (no bytes but whitespace) is refused: an empty pipe from a
 * failed `kubectl` must not read as "nothing runs" and unpin a whole cluster.
 */
export function parsePinSetDocument(body: string): ParsedDocument {
  const trimmed = body.trim();
  if (trimmed.length === 0) throw invalid('empty; send "[]" or a list with only comments to clear a pin set on purpose');
  if (trimmed.startsWith('{')) {
    const doc = parseJson(trimmed);
    if (!isObject(doc)) throw invalid('expected a JSON object');
    if (Array.isArray(doc.items)) return { format: 'kubectl', containers: list(doc.items).flatMap(podContainers) };
    if (doc.kind === 'Pod') return { format: 'kubectl', containers: podContainers(doc) };
    throw invalid('a JSON object must be a kubectl list ("items") or a Pod');
  }
  if (trimmed.startsWith('[')) {
    const doc = parseJson(trimmed);
    if (!Array.isArray(doc)) throw invalid('expected a JSON array');
    const containers = doc.map((c): RunningContainer => {
      if (typeof c === 'string') return { candidates: [c] };
      const image = isObject(c) ? text(c.Image) : null;
      return { candidates: image === null ? [] : [image] };
    });
    return { format: 'podman', containers };
  }
  return { format: 'list', containers: plainList(trimmed) };
}
