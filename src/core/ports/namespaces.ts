// Namespaces (SWR namespaces, NCR registries) and the repository/tag listings with counts, sizes and times that the
// cloud management APIs page through; one port so every dialect shows the same numbers for the same repository.
import type { Digest } from '../model/digest.ts';
import type { Actor, Repository } from '../model/records.ts';

export interface NamespaceRecord {
  name: string;
  /** When it was created explicitly, else when its oldest live repository was created. */
  createdAt: Date;
  /** Created on purpose (SWR createNamespace, NCR create registry), not only implied by a repository inside it. */
  explicit: boolean;
  /** Live repositories inside it (their first path segment is this name and they have a second one). */
  repositoryCount: number;
  /** Settings a dialect stored at creation (NCR bucket, SWR metadata), echoed as given; {} when implicit. */
  settings: Record<string, unknown>;
}

export type CreateNamespaceOutcome = { kind: 'created'; namespace: NamespaceRecord } | { kind: 'exists'; namespace: NamespaceRecord };
export type DeleteNamespaceOutcome = 'deleted' | 'unknown' | 'not-empty';

export interface RepositorySummary extends Repository {
  /** Newest of its creation, a manifest push, a tag change and a delete (never moves backwards). */
  updatedAt: Date;
  /** Live (not deleted) manifests, referrers and index children included. */
  manifestCount: number;
  tagCount: number;
  /** Bytes of the distinct blobs linked to the repository (layers and configs pushed or mounted there). */
  blobBytes: number;
  lastPulledAt: Date | null;
}

export interface RepositoryFilter {
  /** Only repositories of this namespace ("team" matches "team/app" and "team/a/b", never "team" itself). */
  namespace?: string | undefined;
  /** Only names containing this text (case-sensitive). */
  nameContains?: string | undefined;
  /** Entries strictly after this name (lexical order). */
  after?: string | undefined;
  limit: number;
}

export interface TagDetail {
  tag: string;
  digest: Digest;
  mediaType: string;
  artifactType: string | null;
  /** Bytes of the manifest itself (read the body for the image size a pull downloads). */
  manifestSize: number;
  /** When the tag last moved (or was created). */
  taggedAt: Date;
  /** When the manifest it points at was pushed. */
  pushedAt: Date;
  lastPulledAt: Date | null;
}

export interface NamespaceStore {
  createNamespace(ns: { name: string; settings: Record<string, unknown>; actor: Actor; at: Date }): Promise<CreateNamespaceOutcome>;
  /** The namespace if created explicitly or implied by a live repository; null otherwise. */
  findNamespace(name: string): Promise<NamespaceRecord | null>;
  /** Explicit and implied namespaces in lexical order. */
  listNamespaces(q: { after?: string | undefined; nameContains?: string | undefined; limit: number }): Promise<NamespaceRecord[]>;
  /** Removes an explicit namespace; refused while a live repository is inside it (nothing is deleted then). */
  deleteNamespace(name: string, actor: Actor, at: Date): Promise<DeleteNamespaceOutcome>;
}

export interface RepositoryBrowser {
  listRepositorySummaries(filter: RepositoryFilter): Promise<RepositorySummary[]>;
  repositorySummary(name: string): Promise<RepositorySummary | null>;
  /** The live ones of `names`, each as `repositorySummary` gives it, read at once (a listing page: one round trip, not one a name). */
  repositorySummaries(names: readonly string[]): Promise<Map<string, RepositorySummary>>;
  /** The live repository with this stable id ("crr-..."), or null. */
  findRepositoryById(id: string): Promise<Repository | null>;
  /** Live tags in lexical order with what they point at; null when the repository is unknown. */
  listTagDetails(repository: string, q: { after?: string | undefined; nameContains?: string | undefined; limit: number }): Promise<TagDetail[] | null>;
  findTagDetail(repository: string, tag: string): Promise<TagDetail | null>;
}
