// ECR's expire family over a stream of images: each image belongs to the first rule whose selection it matches, yet
// every count rule ranks all the images its selection matches (AWS's "identify but do not mark"), in O(N) memory per rule.
import { type Decision, type Engine, type EvaluationContext, type LifecycleImage, type LifecycleWarning, livePins } from './decision.ts';
import { selectionMatcher } from './match.ts';
import { NewestWindow, type Stamp } from './newest.ts';
import { DAY_MS, type ExpireCount, type ExpireRule } from './rules.ts';

/** An image waiting in its owner's count window: expired if it falls out, kept if it is still there at the end. */
interface Owned {
  seq: number;
  image: LifecycleImage;
}

interface Entry extends Stamp {
  /** Null for an image another rule owns or a pin protects: it still takes its place in the ranking. */
  owned: Owned | null;
}

interface Compiled {
  rule: ExpireRule;
  matches: (tags: readonly string[]) => boolean;
  window: NewestWindow<Entry> | null;
}

function tagNames(image: LifecycleImage): string[] {
  return image.tags.map((t) => t.name);
}

function decide(o: Owned, verdict: 'expire' | 'keep', priority: number, warnings: readonly LifecycleWarning[] = []): Decision {
  const tags = tagNames(o.image);
  return {
    seq: o.seq,
    digest: o.image.digest,
    pushedAt: o.image.pushedAt,
    tags,
    verdict,
    removeTags: verdict === 'expire' ? tags : [],
    by: { kind: 'rule', priority },
    warnings,
  };
}

/**
 * An age rule's answer. Pushed: more than `days` before now (exactly `days` is kept). Pulled: the last recorded pull, or
 * for an image berth never saw pulled the later of its push and the start of recording (berth cannot know of older
 * pulls), and such an expiry carries a warning.
 */
function ageExpires(
  count: Exclude<ExpireCount, { type: 'imageCountMoreThan' }>,
  image: LifecycleImage,
  ctx: EvaluationContext,
): { expire: boolean; warnings: LifecycleWarning[] } {
  const limit = count.days * DAY_MS;
  const now = ctx.now.getTime();
  if (count.type === 'sinceImagePushed') return { expire: now - image.pushedAt.getTime() > limit, warnings: [] };
  const pulled = image.lastPulledAt?.getTime() ?? Math.max(image.pushedAt.getTime(), ctx.pullsRecordedSince.getTime());
  const expire = now - pulled > limit;
  const warn = expire && image.lastPulledAt === null;
  return { expire, warnings: warn ? [{ code: 'never-pulled-since-recording', since: ctx.pullsRecordedSince }] : [] };
}

/**
 * The expire family as a push engine: each image's decisions come out of `push` as soon as they are known (count rules
 * settle their survivors in `finish`), so a synchronous or an asynchronous reader drives the same code.
 */
export function expireEngine(rules: readonly ExpireRule[], ctx: EvaluationContext): Engine {
  const compiled: Compiled[] = [...rules]
    .sort((a, b) => a.priority - b.priority)
    .map((rule) => ({
      rule,
      matches: selectionMatcher(rule),
      window: rule.count.type === 'imageCountMoreThan' ? new NewestWindow<Entry>(rule.count.n) : null,
    }));
  let seq = 0;
  const push = (image: LifecycleImage): Decision[] => {
    const out: Decision[] = [];
    const here: Owned = { seq: seq++, image };
    const tags = tagNames(image);
    const pins = livePins(ctx.pins, image.digest, ctx.now);
    let owner: Compiled | null = null;
    for (const c of compiled) {
      if (!c.matches(tags)) continue;
      const mine = owner === null;
      if (mine) owner = c;
      if (c.window === null) continue;
      const fell = c.window.offer({ at: image.pushedAt.getTime(), seq: here.seq, sub: 0, owned: mine && pins.length === 0 ? here : null });
      if (fell?.owned) out.push(decide(fell.owned, 'expire', c.rule.priority));
    }
    const base = { seq: here.seq, digest: image.digest, pushedAt: image.pushedAt, tags, verdict: 'keep' as const, removeTags: [], warnings: [] };
    if (pins.length > 0) out.push({ ...base, by: { kind: 'pinned', pins } });
    else if (owner === null) out.push({ ...base, by: { kind: 'none' } });
    else if (owner.rule.count.type !== 'imageCountMoreThan') {
      const { expire, warnings } = ageExpires(owner.rule.count, image, ctx);
      out.push(decide(here, expire ? 'expire' : 'keep', owner.rule.priority, warnings));
    }
    return out;
  };
  const finish = (): Decision[] => {
    const out: Decision[] = [];
    for (const c of compiled) {
      const left = (c.window?.remaining() ?? []).flatMap((e) => (e.owned ? [e.owned] : []));
      for (const o of left.sort((a, b) => a.seq - b.seq)) out.push(decide(o, 'keep', c.rule.priority));
    }
    return out;
  };
  return { push, finish };
}
