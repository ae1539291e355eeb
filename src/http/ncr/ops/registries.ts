// NCR registries are berth namespaces: listed (explicit ones and those implied by pushed repositories), created
// with the documented body (bucket, storageType kept as settings) and deleted only while empty.
import { z } from 'zod';
import { createNamespace, deleteNamespace, isRegistryError, type NamespaceRecord } from '../../../core/index.ts';
import { allowed, authorize, registryResource } from '../authorize.ts';
import type { Handler, NcrCall } from '../context.ts';
import { conflict, notFound } from '../errors.ts';
import { validateBody } from '../input.ts';
import { pageOf, parsePaging, WALK_BATCH } from '../paging.ts';
import { registryShape } from '../wire.ts';

/**
 * One bounded walk over every namespace, keeping only those the caller may read and only the requested page:
 * the count is exact and memory stays O(page + batch). Time is O(registries), which is small next to images.
 */
export const listRegistries: Handler = async (call) => {
  const paging = parsePaging(call.query);
  const page: NamespaceRecord[] = [];
  let count = 0;
  let after: string | undefined;
  for (;;) {
    const batch = await call.ctx.deps.meta.listNamespaces({ after, limit: WALK_BATCH });
    for (const ns of batch) {
      if (!allowed(call.caller, registryResource(ns.name), 'pull')) continue;
      if (count >= paging.offset && page.length < paging.size) page.push(ns);
      count++;
    }
    if (batch.length < WALK_BATCH) break;
    after = batch.at(-1)!.name;
  }
  return {
    status: 200,
    body: pageOf(
      call,
      paging,
      count,
      page.map((ns) => registryShape(call, ns)),
    ),
  };
};

const BUCKET = { error: 'bucket is required: the name of the bucket (a string of 1 to 255 characters)' };
const STORAGE_TYPE = { error: 'storageType must be a string such as "objectStorage" or "ncloudStorage"' };
/** The documented body; other members are ignored, as NAVER's gateway does. */
const CREATE_BODY = z.object({
  bucket: z.string(BUCKET).min(1, BUCKET).max(255, BUCKET),
  storageType: z.string(STORAGE_TYPE).min(1, STORAGE_TYPE).max(64, STORAGE_TYPE).optional(),
});

function settingsOf(call: NcrCall): Record<string, unknown> {
  const { bucket, storageType } = validateBody(CREATE_BODY, call.body);
  return { bucket, ...(storageType !== undefined ? { storageType } : {}) };
}

/** Creating or deleting a registry governs every image in it: admin on "{registry}/*", as in SWR (docs/DIALECTS.md). */
export const createRegistry: Handler = async (call, { registry }) => {
  await authorize(call, registryResource(registry), 'admin');
  const settings = settingsOf(call);
  // A registry implied by pushed images exists as far as NCR is concerned: core answers not created.
  const { created } = await createNamespace(call.ctx.deps, { name: registry, settings }, call.actor);
  if (!created) throw conflict(`registry ${registry} already exists`);
  return { status: 201, body: { returnCode: '201', returnMessage: 'Registry Creation is successful' } };
};

export const deleteRegistry: Handler = async (call, { registry }) => {
  await authorize(call, registryResource(registry), 'admin');
  try {
    await deleteNamespace(call.ctx.deps, registry, call.actor);
  } catch (e) {
    if (isRegistryError(e) && e.code === 'NAME_UNKNOWN') throw notFound(`registry ${registry} not found`);
    // Refusing is the safe default: deleting a registry never deletes images as a side effect.
    if (isRegistryError(e) && e.code === 'REPOSITORY_NOT_EMPTY') throw conflict(`registry ${registry} still holds images; delete them first`);
    throw e;
  }
  return { status: 204 };
};
