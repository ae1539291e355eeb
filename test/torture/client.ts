// One torture client: owns a few repositories and, until its deadline or op budget, pushes (images sharing pool
// layers, indexes, referrers), pulls and verifies every byte, deletes tags, manifests and whole repositories, and
// re-pushes what it deleted. Its model of acknowledged writes is checked online (pulls) and again at the end.
import { ACCEPT, type ManifestSpec, makeImage, makeIndex, makeReferrer, poolWindow, type SharedPool } from './content.ts';
import { header, sha256, UnknownOutcome } from './http.ts';
import { RepoModel } from './model.ts';
import type { Prng } from './prng.ts';
import { abandon, ensureBlob, GaveUp, MAX_ATTEMPTS, type PushContext, pause, pushSpec } from './push.ts';

export interface Admin {
  /** Deletes a repository with force (there is no OCI call for it); 'unknown' when it did not exist. */
  deleteRepository(name: string): Promise<'deleted' | 'unknown'>;
}

export interface ClientOptions {
  id: number;
  repos: number;
  maxUniqueBytes: number;
  pool: SharedPool;
  admin: Admin;
  /** Tag some referrers (a tag must keep a referrer alive whatever happens to its subject). */
  taggedReferrers: boolean;
  /** The server's GC grace period: a slow push waits about this long between its blobs and its manifest. */
  graceMs: number;
}

const WEIGHTS = {
  push: 25,
  slowPush: 4,
  index: 6,
  referrer: 8,
  pull: 20,
  deleteTag: 11,
  deleteManifest: 11,
  deleteBlob: 3,
  deleteRepo: 1.5,
  orphan: 5,
  repush: 6,
  retag: 4,
} as const;
type Op = keyof typeof WEIGHTS;

export class TortureClient {
  readonly repos: RepoModel[];
  readonly #ctx: PushContext;
  readonly #o: ClientOptions;
  readonly #prng: Prng;
  /** Images this client deleted, to push the very same bytes again later. */
  readonly #deleted: ManifestSpec[] = [];
  #n = 0;

  constructor(ctx: PushContext, o: ClientOptions) {
    this.#ctx = ctx;
    this.#o = o;
    this.#prng = ctx.prng;
    this.repos = Array.from({ length: o.repos }, (_, k) => new RepoModel(`torture/c${o.id}/r${k}`));
  }

  async run(deadline: number, maxOps: number, stopped: () => boolean): Promise<void> {
    for (let i = 0; i < maxOps && Date.now() < deadline && !stopped(); i++) {
      const op = this.#prng.weighted(WEIGHTS);
      const repo = this.#prng.pick(this.repos);
      this.#ctx.stats.ops++;
      await this.#do(op, repo);
    }
  }

  async #do(op: Op, repo: RepoModel): Promise<void> {
    const prng = this.#prng;
    switch (op) {
      case 'push':
        return this.#push(repo, makeImage(prng, this.#o.pool, `c${this.#o.id}-${this.#n++}`, this.#o.maxUniqueBytes, this.#n), this.#tagFor(repo));
      case 'slowPush': {
        // Blobs now, manifest one grace period later: GC may reclaim the blobs in between (the push must then fail
        // with MANIFEST_BLOB_UNKNOWN and succeed after re-uploading, never store an image with missing layers).
        const spec = makeImage(prng, this.#o.pool, `c${this.#o.id}-${this.#n++}`, this.#o.maxUniqueBytes, this.#n);
        try {
          for (const b of spec.blobs) await ensureBlob(this.#ctx, repo.name, b, prng.chance(0.5));
        } catch (e) {
          if (e instanceof UnknownOutcome) this.#ctx.stats.unknownOutcomes++;
          else if (!(e instanceof GaveUp)) throw e;
        }
        await pause(prng.int(Math.floor(this.#o.graceMs * 0.6), Math.floor(this.#o.graceMs * 1.8)));
        return this.#push(repo, spec, this.#tagFor(repo), true);
      }
      case 'index': {
        const children = Array.from({ length: prng.int(2, 3) }, () =>
          makeImage(prng, this.#o.pool, `c${this.#o.id}-${this.#n++}`, this.#o.maxUniqueBytes, this.#n),
        );
        this.#ctx.stats.indexes++;
        return this.#push(repo, makeIndex(children, `c${this.#o.id}-${this.#n++}`), this.#tagFor(repo));
      }
      case 'referrer': {
        const subjects = [...repo.manifests.values()].filter((m) => m.kind !== 'index' || prng.chance(0.3));
        if (subjects.length === 0) return;
        this.#ctx.stats.referrers++;
        const tagged = this.#o.taggedReferrers && prng.chance(0.3);
        return this.#push(repo, makeReferrer(prng, this.#o.pool, prng.pick(subjects), `c${this.#o.id}-${this.#n++}`), tagged ? this.#newTag() : null);
      }
      case 'pull':
        return this.#pull(repo);
      case 'deleteTag':
        return this.#deleteTag(repo);
      case 'deleteManifest':
        return this.#deleteManifest(repo);
      case 'deleteRepo':
        return this.#deleteRepo(repo);
      case 'deleteBlob':
        return this.#deleteBlob(repo);
      case 'orphan':
        return abandon(
          this.#ctx,
          repo.name,
          Array.from({ length: prng.int(1, 3) }, () =>
            prng.chance(0.5)
              ? prng.pick(poolWindow(this.#o.pool, this.#n))
              : makeImage(prng, this.#o.pool, `orphan-${this.#n++}`, this.#o.maxUniqueBytes).blobs[0]!,
          ),
          prng.chance(0.2),
        );
      case 'repush': {
        if (this.#deleted.length === 0) return;
        this.#ctx.stats.repushes++;
        const spec = prng.pick(this.#deleted);
        return this.#push(repo, spec, spec.kind === 'referrer' && !this.#o.taggedReferrers ? null : this.#tagFor(repo));
      }
      case 'retag': {
        const known = [...repo.manifests.values()].filter((m) => !repo.deleted.has(m.digest) && (this.#o.taggedReferrers || m.kind !== 'referrer'));
        if (known.length === 0) return;
        return this.#push(repo, prng.pick(known), this.#tagFor(repo));
      }
    }
  }

  #newTag(): string {
    return `t${this.#n++}`;
  }

  /** Mostly a new tag; sometimes an existing one, which moves it (and orphans what it pointed at). */
  #tagFor(repo: RepoModel): string {
    if (repo.tags.size > 0 && this.#prng.chance(0.2)) return this.#prng.pick([...repo.tags.keys()]);
    return this.#newTag();
  }

  async #push(repo: RepoModel, spec: ManifestSpec, tag: string | null, blobsAlreadySent = false): Promise<void> {
    for (const m of [spec, ...spec.children]) repo.manifests.set(m.digest, m);
    const outcome = await pushSpec(this.#ctx, repo.name, spec, tag, blobsAlreadySent);
    if (outcome === 'acked') {
      this.#ctx.stats.pushesAcked++;
      for (const m of [spec, ...spec.children]) repo.deleted.delete(m.digest);
    } else if (outcome === 'failed') {
      this.#ctx.stats.pushesFailed++;
    } else {
      this.#ctx.stats.pushesUnknown++;
    }
    if (tag === null) return;
    if (outcome === 'acked') repo.tags.set(tag, { digest: spec.digest, certain: true });
    else if (outcome === 'unknown') repo.tags.set(tag, { digest: spec.digest, certain: false });
  }

  /** Pulls a tag and every byte under it; a certain tag must answer with exactly its digest. */
  async #pull(repo: RepoModel): Promise<void> {
    if (repo.tags.size === 0) return;
    const [tag, state] = this.#prng.pick([...repo.tags]);
    this.#ctx.stats.pulls++;
    try {
      const got = await this.#ctx.http.send({ method: 'GET', target: `/v2/${repo.name}/manifests/${tag}`, headers: { accept: ACCEPT } });
      if (got.status === 404 && !state.certain) return;
      if (got.status !== 200) {
        this.#ctx.violation(
          `pull ${repo.name}:${tag}: ${got.status} ${got.code ?? ''}, but the tag was acknowledged for ${state.digest} and never deleted; ${await this.#ctx.explain(repo.name, state.digest)}`,
        );
        state.certain = false; // reported once; the model no longer vouches for it
        return;
      }
      const digest = sha256(got.body);
      if (state.certain && digest !== state.digest) return this.#ctx.violation(`pull ${repo.name}:${tag}: got ${digest}, acknowledged ${state.digest}`);
      if (header(got, 'docker-content-digest') !== digest)
        this.#ctx.violation(`pull ${repo.name}:${tag}: Docker-Content-Digest ${header(got, 'docker-content-digest')} for a body hashing to ${digest}`);
      await this.#verifyTree(repo, digest, got.body, 0);
      if (this.#prng.chance(0.3)) await this.#checkReferrers(repo, digest);
    } catch (e) {
      if (!(e instanceof UnknownOutcome)) throw e;
      this.#ctx.stats.unknownOutcomes++;
    }
  }

  /** Every blob and child under a live manifest must be there, byte for byte. */
  async #verifyTree(repo: RepoModel, digest: string, body: Buffer, depth: number): Promise<void> {
    const doc = JSON.parse(body.toString('utf8')) as {
      manifests?: Array<{ digest: string }>;
      config?: { digest: string; size: number };
      layers?: Array<{ digest: string; size: number }>;
    };
    if (doc.manifests && depth < 2) {
      for (const child of doc.manifests) {
        const got = await this.#ctx.http.send({ method: 'GET', target: `/v2/${repo.name}/manifests/${child.digest}`, headers: { accept: ACCEPT } });
        if (got.status === 404 && repo.deleted.has(child.digest)) continue; // the client deleted it itself
        if (got.status !== 200 || sha256(got.body) !== child.digest) {
          this.#ctx.violation(`${repo.name}@${digest}: child ${child.digest} answered ${got.status} though the index is live and no client deleted it`);
          continue;
        }
        await this.#verifyTree(repo, child.digest, got.body, depth + 1);
      }
    }
    for (const b of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) {
      const got = await this.#ctx.http.send({ method: 'GET', target: `/v2/${repo.name}/blobs/${b.digest}` });
      if (got.status !== 200 || sha256(got.body) !== b.digest || got.body.length !== b.size) {
        this.#ctx.violation(`${repo.name}@${digest} is live but its blob ${b.digest} answered ${got.status} (${got.body.length} bytes, wanted ${b.size})`);
      } else {
        this.#ctx.stats.blobsVerified++;
      }
    }
  }

  /** The referrers API answers, and lists every referrer this client holds with a certain tag. */
  async #checkReferrers(repo: RepoModel, subject: string): Promise<void> {
    const got = await this.#ctx.http.send({ method: 'GET', target: `/v2/${repo.name}/referrers/${subject}` });
    if (got.status !== 200) return this.#ctx.violation(`referrers of ${repo.name}@${subject}: ${got.status}`);
    const listed = new Set(((JSON.parse(got.body.toString('utf8')) as { manifests?: Array<{ digest: string }> }).manifests ?? []).map((m) => m.digest));
    for (const [tag, t] of repo.tags) {
      const m = repo.manifests.get(t.digest);
      if (t.certain && m?.subject === subject && !listed.has(m.digest))
        this.#ctx.violation(`referrers of ${repo.name}@${subject} miss ${m.digest} (tag ${tag})`);
    }
  }

  async #deleteTag(repo: RepoModel): Promise<void> {
    if (repo.tags.size === 0) return;
    const [tag, state] = this.#prng.pick([...repo.tags]);
    const outcome = await this.#delete(repo, tag, state.certain, state.digest);
    this.#ctx.stats.tagDeletes++;
    if (outcome === 'unknown') state.certain = false;
    else repo.tags.delete(tag);
  }

  async #deleteManifest(repo: RepoModel): Promise<void> {
    const tagged = [...repo.tags.values()];
    const pickTagged = tagged.length > 0 && this.#prng.chance(0.8);
    const candidates = pickTagged ? tagged.map((t) => t.digest) : [...repo.manifests.keys()];
    if (candidates.length === 0) return;
    const digest = this.#prng.pick(candidates);
    const certain = pickTagged && repo.tagsOf(digest).some((t) => repo.tags.get(t)!.certain) && !repo.deleted.has(digest);
    const spec = repo.manifests.get(digest);
    const outcome = await this.#delete(repo, digest, certain, digest);
    this.#ctx.stats.manifestDeletes++;
    repo.deleteManifest(digest, outcome !== 'unknown');
    if (spec && this.#deleted.length < 200) this.#deleted.push(spec);
  }

  /** DELETE a tag or digest: 202, or 404 when it is already gone (wrong if `mustExist`); retried across kills. */
  async #delete(repo: RepoModel, reference: string, mustExist: boolean, digest: string): Promise<'gone' | 'unknown'> {
    let unknown = false;
    for (let a = 0; a < MAX_ATTEMPTS && (a === 0 || Date.now() < this.#ctx.hardStop); a++) {
      try {
        const r = await this.#ctx.http.send({ method: 'DELETE', target: `/v2/${repo.name}/manifests/${reference}` });
        if (r.status === 202) return 'gone';
        if (r.status === 404) {
          if (mustExist && !unknown) {
            this.#ctx.violation(
              `DELETE ${repo.name}:${reference}: 404 ${r.code ?? ''}, but it was acknowledged and never deleted; ${await this.#ctx.explain(repo.name, digest)}`,
            );
          }
          return 'gone';
        }
        if (r.status < 500) this.#ctx.violation(`DELETE ${repo.name}:${reference}: unexpected ${r.status} ${r.body.toString('utf8').slice(0, 200)}`);
        return unknown ? 'unknown' : 'gone';
      } catch (e) {
        if (!(e instanceof UnknownOutcome)) throw e;
        this.#ctx.stats.unknownOutcomes++;
        unknown = true;
      }
    }
    return 'unknown';
  }

  /**
   * The OCI content-management flow: DELETE a blob. Refused (405) while a live manifest of the repository uses it;
   * accepted when only deleted ones do. Accepting it under an acknowledged image would break that image.
   */
  async #deleteBlob(repo: RepoModel): Promise<void> {
    const specs = [...repo.manifests.values()].filter((m) => m.blobs.length > 0);
    if (specs.length === 0) return;
    const blob = this.#prng.pick(this.#prng.pick(specs).blobs);
    // A child this client deleted itself dangles (OCI allows it), so what only that child used is no longer held.
    const uses = (m: ManifestSpec | undefined): boolean =>
      m !== undefined && !repo.deleted.has(m.digest) && (m.blobs.some((b) => b.digest === blob.digest) || m.children.some(uses));
    const holders = [...repo.tags].filter(([, t]) => t.certain && uses(repo.manifests.get(t.digest)));
    try {
      const r = await this.#ctx.http.send({ method: 'DELETE', target: `/v2/${repo.name}/blobs/${blob.digest}` });
      this.#ctx.stats.blobDeletes++;
      if (r.status === 202 && holders.length > 0) {
        const [tag, t] = holders[0]!;
        this.#ctx.violation(
          `DELETE blob ${repo.name}@${blob.digest} was accepted though acknowledged tag ${tag} (${t.digest}) uses it; ${await this.#ctx.explain(repo.name, t.digest)}`,
        );
      } else if (r.status !== 202 && r.status !== 404 && r.status !== 405 && r.status < 500) {
        this.#ctx.violation(`DELETE blob ${repo.name}@${blob.digest}: unexpected ${r.status} ${r.code ?? ''}`);
      }
    } catch (e) {
      if (!(e instanceof UnknownOutcome)) throw e;
      this.#ctx.stats.unknownOutcomes++;
    }
  }

  async #deleteRepo(repo: RepoModel): Promise<void> {
    const hadCertain = [...repo.tags.values()].some((t) => t.certain);
    const outcome = await this.#o.admin.deleteRepository(repo.name);
    this.#ctx.stats.repoDeletes++;
    if (outcome === 'unknown' && hadCertain) this.#ctx.violation(`delete repository ${repo.name}: unknown, but it holds acknowledged tags`);
    for (const m of repo.manifests.values()) if (this.#deleted.length < 200 && this.#prng.chance(0.3)) this.#deleted.push(m);
    repo.reset();
  }
}
