// Repository management that the cloud dialects expose (ECR CreateRepository, PutImageTagMutability, resource
// tags, repository policies; ACR/SWR/NCR equivalents) and the image listings they page through.
import type { Digest } from '../model/digest.ts';
import type { Actor, ManifestSummary, Repository } from '../model/records.ts';
import type { TagMutability } from '../model/tag-mutability.ts';

/** Key/value labels on a repository (ECR resource tags); not image tags. */
export type ResourceTags = Record<string, string>;

export interface RepositoryExtras {
  /** Settings a dialect stores and echoes (ECR scanning/encryption configuration), as given. */
  settings: Record<string, unknown>;
  /** The repository policy document as given (JSON text), or null. */
  policy: string | null;
  resourceTags: ResourceTags;
}

/** A repository as a listing shows it: the record and its extras. */
export interface RepositoryWithExtras {
  repository: Repository;
  extras: RepositoryExtras;
}

export interface NewRepository {
  name: string;
  tagMutability: TagMutability;
  /** The exclusion filters of a *_WITH_EXCLUSION mode (absent or empty otherwise). */
  tagMutabilityExclusions?: readonly string[] | undefined;
  settings: Record<string, unknown>;
  resourceTags: ResourceTags;
  at: Date;
  actor: Actor;
}

export type CreateRepositoryOutcome = { kind: 'created'; repository: Repository } | { kind: 'exists'; repository: Repository };

export interface RepositoryChange {
  /** A new mode; its exclusion filters replace the stored ones (none given: the repository keeps none). */
  tagMutability?: TagMutability | undefined;
  tagMutabilityExclusions?: readonly string[] | undefined;
  settings?: Record<string, unknown> | undefined;
  /** A policy document, or null to remove it. */
  policy?: string | null | undefined;
  /** Resource tags to add or overwrite, then keys to remove. */
  setTags?: ResourceTags | undefined;
  removeTags?: readonly string[] | undefined;
}

export interface ImageSummary extends ManifestSummary {
  /** The image's tags in lexical order (empty when untagged). */
  tags: string[];
}

export type TagStatus = 'TAGGED' | 'UNTAGGED' | 'ANY';

export interface RepositoryAdmin {
  createRepository(repository: NewRepository): Promise<CreateRepositoryOutcome>;
  /** Applies a change in one transaction and returns the repository after it; null when unknown. */
  updateRepository(name: string, change: RepositoryChange, actor: Actor, at: Date): Promise<Repository | null>;
  /** Settings, policy and resource tags; null when the repository is unknown. */
  repositoryExtras(name: string): Promise<RepositoryExtras | null>;
  /**
   * The policy document of a live repository; null when it has none or is unknown. What every authorized request
   * checks, so it reads the one column (on PostgreSQL one statement, where the extras take two).
   */
  repositoryPolicy(name: string): Promise<string | null>;
  /**
   * The policy documents of those of `names` that are live and have one, in one read: a listing checks a page of
   * repositories against their policies (on PostgreSQL one round trip per page instead of one per repository).
   */
  repositoryPolicies(names: readonly string[]): Promise<Map<string, string>>;
  /** The live ones of `names` with their extras, keyed by name, in one read (a listing's page; absent: unknown). */
  repositoriesWithExtras(names: readonly string[]): Promise<Map<string, RepositoryWithExtras>>;
  /** Live images by digest order after `after`, with their tags; null when the repository is unknown. */
  listImages(repository: string, q: { tagStatus: TagStatus; after?: Digest | undefined; limit: number }): Promise<ImageSummary[] | null>;
  /** The live images among `digests`, with their tags (missing ones are left out). */
  findImages(repository: string, digests: readonly Digest[]): Promise<ImageSummary[]>;
  /** Live indexes of the repository that list `digest` as a child (an index probe; at most 100). */
  indexParents(repository: string, digest: Digest): Promise<Digest[]>;
}
