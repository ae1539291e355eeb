// Deletes over the berth API and their preview: the preview says what would go, what stays pinned and how many bytes
// GC gives back from when; the deletes go through the ordinary delete use cases (pins re-checked in the delete's own
// transaction, trash, audit), exactly as /v2 DELETE and the CLI do (docs/DELETION.md "Previewing a delete").
import { z } from 'zod';
import {
  type DeletePreview,
  deleteManifest,
  deleteRepository,
  listDeletedManifests,
  type Pin,
  type PreviewTarget,
  previewDelete,
  previewTarget,
  RegistryError,
} from '../../core/index.ts';
import { gateRequest } from '../common/access.ts';
import { type BerthCall, type BerthHandler, onRepository, sendJson } from './context.ts';
import { booleanParam, pageLimit, readJson, searchParam } from './input.ts';
import { pinJson } from './wire.ts';

const PreviewBody = z.strictObject({ tag: z.string().optional(), digest: z.string().optional() });

export function previewJson(p: DeletePreview): Record<string, unknown> {
  return {
    repository: p.repository,
    target: p.target,
    tags: p.tags,
    manifests: p.manifests,
    collectable: p.collectable,
    pins: p.pins.map(pinJson),
    blocked: p.blocked,
    canBreakPins: p.canBreakPins,
    bytes: { reclaimable: p.bytes.reclaimable, blobs: p.bytes.blobs, from: p.bytes.from.toISOString() },
    restorableUntil: p.restorableUntil?.toISOString() ?? null,
  };
}

/** Whether the caller is admin on the repository: what breaking pins needs (asked without refusing). */
function isAdmin(call: BerthCall, repository: string): Promise<boolean> {
  return call.ctx.gate.alsoAllowed(gateRequest(call.req.headers, 'api'), onRepository(repository, 'admin'));
}

/** Seeing what a delete would take is reading the repository: pull, as every browsing route. */
export const postDeletePreview: BerthHandler<{ kind: 'delete-preview'; name: string }> = async (call) => {
  const { ctx, route, req, reply, authorize } = call;
  // `delete`, as the delete itself: the byte figure depends on blobs of repositories the caller may not see (it tells
  // whether some other repository still uses a layer), so only those who may delete are told what a delete frees.
  await authorize([onRepository(route.name, 'delete')]);
  const target = previewTarget(await readJson(req, PreviewBody));
  const preview = await previewDelete(ctx.deps, route.name, target, { canBreakPins: await isAdmin(call, route.name) });
  sendJson(reply, 200, previewJson(preview));
};

/**
 * One delete: `delete` on the repository (as /v2 DELETE), and admin too with `?breakPins=true`. The preview read just
 * before names what went in the answer; the delete itself decides (a pin added in between still refuses it).
 */
async function remove(call: BerthCall, repository: string, target: PreviewTarget): Promise<void> {
  const breakPins = booleanParam(call.query, 'breakPins') === true;
  const actor = await call.authorize([onRepository(repository, 'delete')]);
  if (breakPins && !(await isAdmin(call, repository))) {
    throw new RegistryError('DENIED', `breakPins needs the admin right on ${repository}; delete without it or remove the pins`);
  }
  const before = await previewDelete(call.ctx.deps, repository, target, { canBreakPins: breakPins, bytes: false });
  let brokenPins: Pin[];
  let went: Set<string>;
  if (target.kind === 'repository') {
    // The preview was read a moment ago: delete everything it showed (force), never refuse as "not empty".
    brokenPins = (await deleteRepository(call.ctx.deps, repository, true, actor, { breakPins })).brokenPins;
    went = new Set(before.manifests.map((m) => m.digest));
  } else {
    const out = await deleteManifest(call.ctx.deps, repository, target.kind === 'tag' ? target.tag : target.digest, actor, { breakPins });
    brokenPins = out.brokenPins;
    went = new Set(out.manifests);
  }
  sendJson(call.reply, 200, {
    deleted: { tags: before.tags, manifests: before.manifests.filter((m) => went.has(m.digest)) },
    brokenPins: brokenPins.map((p) => ({ id: p.id, reason: p.reason, owner: p.owner })),
    restorableUntil: before.restorableUntil?.toISOString() ?? null,
  });
}

export const deleteTag: BerthHandler<{ kind: 'tag'; name: string; tag: string }> = (call) =>
  remove(call, call.route.name, previewTarget({ tag: call.route.tag }));

export const deleteManifestByDigest: BerthHandler<{ kind: 'manifest'; name: string; digest: string }> = (call) =>
  remove(call, call.route.name, previewTarget({ digest: call.route.digest }));

export const deleteWholeRepository: BerthHandler<{ kind: 'repository'; name: string }> = (call) => remove(call, call.route.name, { kind: 'repository' });

/** The manifest trash, restorable with POST /berth/v1/restore {"repository","digest"}: pull, like deleted-tags. */
export const getDeletedManifests: BerthHandler<{ kind: 'deleted-manifests'; name: string }> = async ({ ctx, route, query, reply, authorize }) => {
  const limit = pageLimit(query);
  const after = searchParam(query, 'after');
  await authorize([onRepository(route.name, 'pull')]);
  const page = await listDeletedManifests(ctx.deps, route.name, { after, limit });
  sendJson(reply, 200, {
    repository: route.name,
    manifests: page.manifests.map((m) => ({ ...m, deletedAt: m.deletedAt.toISOString(), restorableUntil: m.restorableUntil.toISOString() })),
    next: page.next,
  });
};
