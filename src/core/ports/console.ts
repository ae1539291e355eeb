// The reads behind the web console's browsing API: pages of names, and what a person asks of each entry (counts,
// sizes, tags, pins), fetched for a whole page at once so a listing costs a few statements whatever its length.
import type { Digest } from '../model/digest.ts';
import type { Pin } from '../model/records.ts';
import type { PinPolicy } from './metadata-store.ts';
import type { TagDetail } from './namespaces.ts';

export interface NameSearch {
  /** Only repositories of this namespace ("team" matches "team/app", never "team" itself). */
  namespace?: string | undefined;
  /** Only names containing this text, ignoring case. */
  contains?: string | undefined;
  /** Entries strictly after this one (lexical order). */
  after?: string | undefined;
  limit: number;
}

/** What a repository holds and weighs; everything counts live (not trashed) manifests of live repositories only. */
export interface RepositoryUsage {
  name: string;
  createdAt: Date;
  tagCount: number;
  manifestCount: number;
  /** Its manifests' own bytes plus every blob they reference, each blob once. */
  totalBytes: number;
  /** Its manifests' own bytes plus the blobs they reference that no manifest of another repository references. */
  uniqueBytes: number;
  lastPushedAt: Date | null;
  lastPulledAt: Date | null;
}

/** One live manifest as the console shows it, with its bytes (parsed by core for platforms and children). */
export interface ManifestFacts {
  digest: Digest;
  mediaType: string;
  artifactType: string | null;
  subject: Digest | null;
  /** The manifest's own bytes. */
  manifestSize: number;
  /** The manifest, the index children below it (each once) and every blob any of them references (each once). */
  size: number;
  body: Uint8Array;
  pushedAt: Date;
  lastPulledAt: Date | null;
  /** Its tags in lexical order. */
  tags: string[];
}

export interface ManifestPage {
  /** true: tagged only; false: untagged only; undefined: every live manifest. */
  tagged?: boolean | undefined;
  /** Digests strictly after this one. */
  after?: string | undefined;
  limit: number;
}

export interface ConsoleBrowser {
  /** Live repository names in lexical order, filtered. */
  searchRepositoryNames(q: NameSearch): Promise<string[]>;
  /** Usage of each named live repository (unknown names are left out), in the order given. */
  repositoryUsage(names: readonly string[]): Promise<RepositoryUsage[]>;
  /** Live tags whose name contains `contains` ignoring case, in lexical order; null when the repository is unknown. */
  searchTags(repository: string, q: { contains?: string | undefined; after?: string | undefined; limit: number }): Promise<TagDetail[] | null>;
  /** Live manifest digests in lexical order; null when the repository is unknown. */
  listManifestDigests(repository: string, q: ManifestPage): Promise<Digest[] | null>;
  /** The facts of each live manifest named (unknown digests are left out), in the order given. */
  manifestFacts(repository: string, digests: readonly Digest[]): Promise<ManifestFacts[]>;
  /**
   * For each digest, the pins that would refuse its delete now: pins on it, on an index above it, or on a referrer
   * below it (whose subject chain it heads), plus automatic pins per `policy.pulledSince`; exactly what deletes check.
   */
  pinsProtecting(repository: string, digests: readonly Digest[], policy: PinPolicy, at: Date): Promise<Map<Digest, Pin[]>>;
}
