// The engine's one entry point: a pure function from images (in push order) and a policy to decisions, with no I/O, so
// the preview, the scheduled apply and every dialect's API decide exactly alike.
import type { Decision, EvaluationContext, LifecycleImage } from './decision.ts';
import { evaluateExpireRules } from './expire-engine.ts';
import { evaluateKeepRules } from './keep-engine.ts';
import type { RetentionPolicy } from './rules.ts';
import { assertValidPolicy } from './validate.ts';

/**
 * Decisions as they become known, for a caller that streams a large repository: memory grows with the count rules'
 * N, not with the repository. Each decision carries `seq`, its image's position in the input. Throws INVALID_REQUEST
 * for an invalid policy before reading any image.
 */
export function evaluateStream(images: Iterable<LifecycleImage>, policy: RetentionPolicy, ctx: EvaluationContext): Iterable<Decision> {
  assertValidPolicy(policy);
  return policy.family === 'expire' ? evaluateExpireRules(images, policy.rules, ctx) : evaluateKeepRules(images, policy.rules, ctx);
}

/** Every decision, one per image, in input order: for previews and tests of small repositories. */
export function evaluate(images: Iterable<LifecycleImage>, policy: RetentionPolicy, ctx: EvaluationContext): Decision[] {
  return [...evaluateStream(images, policy, ctx)].sort((a, b) => a.seq - b.seq);
}
