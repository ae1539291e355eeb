// What each client knows it did: the tags it pushed with an acknowledged 201 and has not deleted since ("certain"),
// tags whose last change had an unknown outcome (a SIGKILL cut the answer), and what it deleted. Each client owns its
// repositories, so this record is exact: the registry must agree with every certain entry, crashes or not.
import type { ManifestSpec } from './content.ts';

export interface TagState {
  digest: string;
  /** Acknowledged and not touched since; false after an unknown outcome nobody could resolve. */
  certain: boolean;
}

export class RepoModel {
  readonly name: string;
  tags = new Map<string, TagState>();
  /** Everything pushed (or maybe pushed) into this incarnation of the repository, by digest. */
  manifests = new Map<string, ManifestSpec>();
  /** Digests this client deleted (or may have deleted) in this incarnation: an index child may dangle only then. */
  deleted = new Set<string>();
  /** How many times the repository was deleted as a whole. */
  incarnation = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** Tags pointing at `digest`. */
  tagsOf(digest: string): string[] {
    return [...this.tags].filter(([, t]) => t.digest === digest).map(([name]) => name);
  }

  /** A manifest and, transitively, the referrers whose subject it is: what a delete by digest takes with it. */
  cascade(digest: string): string[] {
    const doomed = [digest];
    for (let i = 0; i < doomed.length && doomed.length < 10_000; i++) {
      for (const m of this.manifests.values()) if (m.subject === doomed[i] && !doomed.includes(m.digest)) doomed.push(m.digest);
    }
    return doomed;
  }

  /** Applies a delete by digest: `certain` false when the outcome stayed unknown (its tags become uncertain). */
  deleteManifest(digest: string, certain: boolean): void {
    for (const d of this.cascade(digest)) {
      this.deleted.add(d);
      for (const t of this.tagsOf(d)) {
        if (certain) this.tags.delete(t);
        else this.tags.get(t)!.certain = false;
      }
    }
  }

  reset(): void {
    this.tags = new Map();
    this.manifests = new Map();
    this.deleted = new Set();
    this.incarnation++;
  }
}

/** Which repositories have held a blob (mount sources); approximate on purpose: a stale entry makes a 202 fallback. */
export class BlobDirectory {
  readonly #where = new Map<string, string[]>();
  /** Every blob any client pushed, by digest, with its size: reclaimed bytes are measured against this. */
  readonly sizes = new Map<string, number>();

  saw(digest: string, size: number, repo: string): void {
    this.sizes.set(digest, size);
    const list = this.#where.get(digest) ?? [];
    if (!list.includes(repo)) list.push(repo);
    if (list.length > 8) list.shift();
    this.#where.set(digest, list);
  }

  sources(digest: string, except: string): string[] {
    return (this.#where.get(digest) ?? []).filter((r) => r !== except);
  }
}

export interface TortureStats {
  ops: number;
  pushesAcked: number;
  pushesFailed: number;
  pushesUnknown: number;
  indexes: number;
  referrers: number;
  blobUploads: number;
  mounts: number;
  pulls: number;
  blobsVerified: number;
  tagDeletes: number;
  manifestDeletes: number;
  blobDeletes: number;
  repoDeletes: number;
  orphanBlobs: number;
  abandonedUploads: number;
  repushes: number;
  unknownOutcomes: number;
  manifestBlobUnknown: number;
  tooManyRequests: number;
}

export function emptyStats(): TortureStats {
  return {
    ops: 0,
    pushesAcked: 0,
    pushesFailed: 0,
    pushesUnknown: 0,
    indexes: 0,
    referrers: 0,
    blobUploads: 0,
    mounts: 0,
    pulls: 0,
    blobsVerified: 0,
    tagDeletes: 0,
    manifestDeletes: 0,
    blobDeletes: 0,
    repoDeletes: 0,
    orphanBlobs: 0,
    abandonedUploads: 0,
    repushes: 0,
    unknownOutcomes: 0,
    manifestBlobUnknown: 0,
    tooManyRequests: 0,
  };
}
