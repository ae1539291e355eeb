// The plumbing every part of the MetadataStore conformance suite shares: how an adapter's test opens a store and
// exposes what the port does not (the review queue), and the helpers each case uses on a shared or a fresh store.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Digest, ManifestSummary, MetadataStore, NewManifest, StoredManifest, TagMutability } from '../../core/index.ts';
import { actor, at, d } from './metadata-store.fixtures.ts';

export interface ReviewEntry {
  kind: 'blob' | 'manifest';
  /** '' for blobs (they are global). */
  repoId: string;
  digest: string;
  /** When the thing lost its last reference (or, for a blob, was linked while no manifest used it). */
  releasedAt: Date;
}

/** What the tests must see or set that the port does not offer; each adapter's test implements it on its own backend. */
export interface MetadataStoreInspector {
  reviewQueue(): Promise<ReviewEntry[]>;
  /** The port has no "update repository" yet (ECR PutImageTagMutability); tests set it behind the store's back. */
  setTagMutability(repository: string, mutability: TagMutability): Promise<void>;
}

export interface OpenedMetadataStore {
  store: MetadataStore;
  cleanup: () => Promise<void>;
  /** Optional: the GC-queue and tag-immutability tests are skipped without it. */
  inspect?: MetadataStoreInspector;
}

/** Helpers bound to one store (the suite's shared one, or a fresh one for a case that acts on the whole store). */
export interface ConformanceKit {
  store(): MetadataStore;
  inspector(): MetadataStoreInspector | undefined;
  /** A repository name no other case uses. */
  repo(): string;
  link(repository: string, label: string, when?: Date): Promise<Digest>;
  put(...manifests: NewManifest[]): Promise<void>;
  byDigest(repository: string, m: NewManifest): Promise<StoredManifest | null>;
  /** When the blob (no repository) or the manifest of `repository` lost its last reference, if it is queued. */
  queued(digest: string, repository?: string): Promise<Date | undefined>;
  reviewQueueLength(): Promise<number>;
  lastAuditId(): Promise<number>;
}

/** How a part of the suite registers its cases. */
export interface ConformanceSuite {
  /** Cases on the shared store. */
  kit: ConformanceKit;
  /** A case on the shared store that needs the inspector; skipped when the adapter's test gives none. */
  inspected(title: string, fn: () => Promise<void>): void;
  /** A case on a store of its own: GC steps act on the whole store, so their counts must not see other cases. */
  isolated(title: string, fn: (kit: ConformanceKit) => Promise<void>, options?: { inspector?: boolean }): void;
}

let repoCounter = 0;

export function kitOf(store: () => MetadataStore, inspector: () => MetadataStoreInspector | undefined): ConformanceKit {
  const s = store;
  return {
    store,
    inspector,
    repo: () => `conf/r${++repoCounter}`,
    async link(r, label, when = at) {
      await s().linkBlob(r, { digest: d(label), size: label.length }, actor, when);
      return d(label);
    },
    async put(...ms) {
      for (const m of ms) assert.equal((await s().putManifest(m)).kind, 'stored', `put ${m.digest}`);
    },
    byDigest: (r, m) => s().getManifest(r, { digest: m.digest }),
    async queued(digest, repository) {
      const repoId = repository === undefined ? '' : (await s().findRepository(repository))!.id;
      const kind = repository === undefined ? 'blob' : 'manifest';
      return (await inspector()!.reviewQueue()).find((q) => q.kind === kind && q.digest === digest && q.repoId === repoId)?.releasedAt;
    },
    reviewQueueLength: async () => (await inspector()!.reviewQueue()).length,
    lastAuditId: async () => (await s().listAudit({ limit: 1 }))[0]?.id ?? 0,
  };
}

export function suiteOf(kit: ConformanceKit, open: () => Promise<OpenedMetadataStore>): ConformanceSuite {
  return {
    kit,
    inspected(title, fn) {
      it(title, async (t) => (kit.inspector() ? fn() : t.skip('adapter test gives no inspector')));
    },
    isolated(title, fn, options = {}) {
      it(title, async (t) => {
        const opened = await open();
        try {
          if (options.inspector && !opened.inspect) return t.skip('adapter test gives no inspector');
          await fn(
            kitOf(
              () => opened.store,
              () => opened.inspect,
            ),
          );
        } finally {
          await opened.store.close();
          await opened.cleanup();
        }
      });
    },
  };
}

/** Referrer summaries without their times, for comparing what a restore brought back. */
export const digestsOf = (ms: ReadonlyArray<ManifestSummary>): Digest[] => ms.map((m) => m.digest);
