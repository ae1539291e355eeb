// The engine's entry points: a pure function from images (in push order) and a policy to decisions, with no I/O, so
// the preview, the scheduled apply and every dialect's API decide exactly alike, from an array or from store pages.
import type { Decision, Engine, EvaluationContext, LifecycleImage } from './decision.ts';
import { expireEngine } from './expire-engine.ts';
import { keepEngine } from './keep-engine.ts';
import type { RetentionPolicy } from './rules.ts';
import { assertValidPolicy } from './validate.ts';

function engineFor(policy: RetentionPolicy, ctx: EvaluationContext): Engine {
  assertValidPolicy(policy);
  return policy.family === 'expire' ? expireEngine(policy.rules, ctx) : keepEngine(policy.rules, ctx);
}

function* drive(engine: Engine, images: Iterable<LifecycleImage>): Generator<Decision> {
  for (const image of images) yield* engine.push(image);
  yield* engine.finish();
}

/**
 * Decisions as they become known, for a caller that streams a large repository: memory grows with the count rules'
 * N, not with the repository. Each decision carries `seq`, its image's position in the input. Throws INVALID_REQUEST
 * for an invalid policy before reading any image.
 */
export function evaluateStream(images: Iterable<LifecycleImage>, policy: RetentionPolicy, ctx: EvaluationContext): Iterable<Decision> {
  return drive(engineFor(policy, ctx), images);
}

async function* driveAsync(engine: Engine, pages: AsyncIterable<readonly LifecycleImage[]>): AsyncGenerator<Decision> {
  for await (const page of pages) for (const image of page) yield* engine.push(image);
  yield* engine.finish();
}

/**
 * `evaluateStream` over pages that arrive asynchronously (the store's push-order pages): the same engine, so the same
 * decisions in the same order; the next page is read only once the caller has taken every decision of this one.
 * Throws INVALID_REQUEST for an invalid policy at once, before any page is asked for.
 */
export function evaluateStreamAsync(pages: AsyncIterable<readonly LifecycleImage[]>, policy: RetentionPolicy, ctx: EvaluationContext): AsyncIterable<Decision> {
  return driveAsync(engineFor(policy, ctx), pages);
}

/** Every decision, one per image, in input order: for previews and tests of small repositories. */
export function evaluate(images: Iterable<LifecycleImage>, policy: RetentionPolicy, ctx: EvaluationContext): Decision[] {
  return [...evaluateStream(images, policy, ctx)].sort((a, b) => a.seq - b.seq);
}
