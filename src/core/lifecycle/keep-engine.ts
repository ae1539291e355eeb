// SWR's keep family over a stream of images: rules work per tag, their exceptions are invisible to them, a tag goes
// only when every rule lets it go, and an image goes when its last tag goes (as every SWR tag delete does).
import { type Decision, type Engine, type EvaluationContext, type LifecycleImage, livePins } from './decision.ts';
import { exceptionMatcher } from './match.ts';
import { NewestWindow, type Stamp } from './newest.ts';
import { DAY_MS, type KeepRule } from './rules.ts';

/** An image whose tags are not all answered yet. */
interface Pending {
  seq: number;
  image: LifecycleImage;
  /** Tags still waiting for some rule's answer. */
  open: number;
  removed: Set<string>;
  keptBy: Set<number>;
}

/** One tag of a pending image: each rule answers once, keep or release; it is removed only if none kept it. */
interface TagState {
  owner: Pending;
  name: string;
  unanswered: number;
  kept: boolean;
}

interface Entry extends Stamp {
  /** Null for a tag of a pinned image: it is counted like any other but never removed. */
  tag: TagState | null;
}

interface Compiled {
  rule: KeepRule;
  excepted: (tag: string) => boolean;
  window: NewestWindow<Entry> | null;
}

/** Names sorted, so tags of one image pushed in the same millisecond rank by name (a later name counts as newer). */
function byName(image: LifecycleImage): LifecycleImage['tags'] {
  return [...image.tags].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function finish(p: Pending, ruleCount: number): Decision {
  const tags = p.image.tags.map((t) => t.name);
  const all = Array.from({ length: ruleCount }, (_, i) => i);
  const base = { seq: p.seq, digest: p.image.digest, pushedAt: p.image.pushedAt, tags, warnings: [] };
  if (p.removed.size === 0) return { ...base, verdict: 'keep', removeTags: [], by: { kind: 'keep-rules', rules: [...p.keptBy].sort((a, b) => a - b) } };
  const verdict = p.removed.size === tags.length ? 'expire' : 'untag';
  return { ...base, verdict, removeTags: tags.filter((t) => p.removed.has(t)), by: { kind: 'keep-rules', rules: all } };
}

/** The keep family as a push engine: an image is answered once every rule has answered for each of its tags. */
export function keepEngine(rules: readonly KeepRule[], ctx: EvaluationContext): Engine {
  const compiled: Compiled[] = rules.map((rule) => ({
    rule,
    excepted: exceptionMatcher(rule.exceptions),
    window: rule.kind === 'tag_rule' ? new NewestWindow<Entry>(rule.n) : null,
  }));
  const now = ctx.now.getTime();
  const ready: Decision[] = [];
  const answer = (t: TagState, rule: number, keep: boolean): void => {
    if (keep) {
      t.kept = true;
      t.owner.keptBy.add(rule);
    }
    t.unanswered -= 1;
    if (t.unanswered > 0) return;
    if (!t.kept) t.owner.removed.add(t.name);
    t.owner.open -= 1;
    if (t.owner.open === 0) ready.push(finish(t.owner, rules.length));
  };
  let seq = 0;
  const push = (image: LifecycleImage): Decision[] => {
    const s = seq++;
    const pins = livePins(ctx.pins, image.digest, ctx.now);
    const tags = byName(image);
    // A pinned image keeps every tag, but its tags still take their places in each tag_rule's ranking.
    const pending: Pending | null = pins.length === 0 && tags.length > 0 ? { seq: s, image, open: tags.length, removed: new Set(), keptBy: new Set() } : null;
    for (const [sub, tag] of tags.entries()) {
      const state: TagState | null = pending && { owner: pending, name: tag.name, unanswered: compiled.length, kept: false };
      for (const [i, c] of compiled.entries()) {
        if (c.excepted(tag.name)) {
          if (state) answer(state, i, true);
        } else if (c.window) {
          const out = c.window.offer({ at: tag.pushedAt.getTime(), seq: s, sub, tag: state });
          if (out?.tag) answer(out.tag, i, false);
        } else if (state && c.rule.kind === 'date_rule') {
          answer(state, i, now - tag.pushedAt.getTime() <= c.rule.days * DAY_MS);
        }
      }
    }
    if (pending === null) {
      const by = pins.length > 0 ? { kind: 'pinned' as const, pins } : { kind: 'none' as const };
      const names = image.tags.map((t) => t.name);
      ready.push({ seq: s, digest: image.digest, pushedAt: image.pushedAt, tags: names, verdict: 'keep', removeTags: [], by, warnings: [] });
    }
    return ready.splice(0);
  };
  const end = (): Decision[] => {
    for (const [i, c] of compiled.entries()) {
      const left = [...(c.window?.remaining() ?? [])].sort((a, b) => a.seq - b.seq || a.sub - b.sub);
      for (const e of left) if (e.tag) answer(e.tag, i, true);
    }
    return ready.splice(0).sort((a, b) => a.seq - b.seq);
  };
  return { push, finish: end };
}
