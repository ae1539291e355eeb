// Deployment pins over HTTP: a deploy pipeline pins what it rolls out and unpins what it retires, so deletes and
// GC never pull an image from under a running deployment.
import { z } from 'zod';
import { createPin, deletePin, findPin, listPins, parseRepositoryName } from '../../core/index.ts';
import { type BerthHandler, onRepository, REGISTRY_ADMIN, sendJson } from './context.ts';
import { durationField, positiveIntParam, readJson, repositoryParam, textParam } from './input.ts';
import { pinJson } from './wire.ts';

const NewPinBody = z.strictObject({
  repository: z.string(),
  /** A tag (resolved to the digest it points at now) or a digest. */
  reference: z.string().min(1),
  reason: z.string(),
  owner: z.string().optional(),
  expiresIn: z.string().optional(),
});

/** Pins of one repository (pull on it), or of every repository (registry-wide admin). */
export const getPins: BerthHandler<{ kind: 'pins' }> = async ({ ctx, query, reply, authorize }) => {
  const repository = repositoryParam(query);
  await authorize([repository === undefined ? REGISTRY_ADMIN : onRepository(repository, 'pull')]);
  const pins = await listPins(ctx.deps, { repository, after: textParam(query, 'after'), limit: positiveIntParam(query, 'limit') });
  sendJson(reply, 200, { pins: pins.map(pinJson) });
};

export const postPin: BerthHandler<{ kind: 'pins' }> = async ({ ctx, req, reply, authorize }) => {
  const body = await readJson(req, NewPinBody);
  const repository = parseRepositoryName(body.repository);
  const expiresInMs = durationField('expiresIn', body.expiresIn);
  const actor = await authorize([onRepository(repository, 'push')]);
  const pin = await createPin(ctx.deps, { repository, reference: body.reference, reason: body.reason, owner: body.owner, expiresInMs }, actor);
  reply.header('location', `/berth/v1/pins/${pin.id}`);
  sendJson(reply, 201, { pin: pinJson(pin) });
};

export const getPin: BerthHandler<{ kind: 'pin'; id: string }> = async ({ ctx, route, reply, authorize }) => {
  const pin = await findPin(ctx.deps, route.id);
  await authorize([onRepository(pin.repository, 'pull')]);
  sendJson(reply, 200, { pin: pinJson(pin) });
};

/** Unpinning lets deletes and GC take the image again, so it needs the delete right on the pin's repository. */
export const removePin: BerthHandler<{ kind: 'pin'; id: string }> = async ({ ctx, route, reply, authorize }) => {
  const pin = await findPin(ctx.deps, route.id);
  const actor = await authorize([onRepository(pin.repository, 'delete')]);
  const removed = await deletePin(ctx.deps, pin.id, actor);
  sendJson(reply, 200, { pin: pinJson(removed) });
};
