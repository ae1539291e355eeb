// Synthetic histories for the engine's tests: images named by letter, ages in days before a fixed clock, and a
// one-line rendering of each decision so a test states its whole expected outcome exactly.

import type { Digest } from '../model/digest.ts';
import type { Decision, EvaluationContext, LifecycleImage, PinLookup } from './decision.ts';
import { evaluate, evaluateStream, evaluateStreamAsync } from './evaluate.ts';
import { DAY_MS, type ExpireCount, type ExpireRule, type KeepRule, type RetentionPolicy, type TagSelector } from './rules.ts';

export const NOW = new Date('2026-03-01T12:00:00.000Z');

/** `days` (fractions allowed) before NOW, plus `ms` more milliseconds back. */
export function ago(days: number, ms = 0): Date {
  return new Date(NOW.getTime() - days * DAY_MS - ms);
}

export function digestOf(name: string): Digest {
  return `sha256:${name}`;
}

/** An image named `name` pushed `days` ago; its tags were pushed with it unless `tagDays` says otherwise. */
export function img(
  name: string,
  days: number,
  tags: readonly string[],
  opts: { pulledDays?: number | null; tagDays?: Record<string, number>; ms?: number } = {},
): LifecycleImage {
  const pushedAt = ago(days, opts.ms ?? 0);
  return {
    digest: digestOf(name),
    pushedAt,
    lastPulledAt: opts.pulledDays === undefined || opts.pulledDays === null ? null : ago(opts.pulledDays),
    tags: tags.map((t) => ({ name: t, pushedAt: opts.tagDays?.[t] === undefined ? pushedAt : ago(opts.tagDays[t]) })),
  };
}

export const count = (n: number): ExpireCount => ({ type: 'imageCountMoreThan', n });
export const pushedDays = (days: number): ExpireCount => ({ type: 'sinceImagePushed', days });
export const pulledDays = (days: number): ExpireCount => ({ type: 'sinceImagePulled', days });

type Selection = 'untagged' | 'any' | { patterns: string[] } | { prefixes: string[] };

export function rule(priority: number, selection: Selection, c: ExpireCount): ExpireRule {
  if (selection === 'untagged' || selection === 'any') return { kind: 'expire', priority, tagStatus: selection, tagPatterns: [], tagPrefixes: [], count: c };
  const patterns = 'patterns' in selection ? selection.patterns : [];
  const prefixes = 'prefixes' in selection ? selection.prefixes : [];
  return { kind: 'expire', priority, tagStatus: 'tagged', tagPatterns: patterns, tagPrefixes: prefixes, count: c };
}

export const label = (pattern: string): TagSelector => ({ kind: 'label', pattern });
export const regexp = (pattern: string): TagSelector => ({ kind: 'regexp', pattern });
export const keepNewest = (n: number, exceptions: TagSelector[] = []): KeepRule => ({ kind: 'tag_rule', n, exceptions });
export const keepDays = (days: number, exceptions: TagSelector[] = []): KeepRule => ({ kind: 'date_rule', days, exceptions });

export function pinsOf(entries: Record<string, { id: string; reason: string; expiresAt?: Date | null }>): PinLookup {
  const map = new Map<Digest, { id: string; reason: string; expiresAt: Date | null }[]>();
  for (const [name, p] of Object.entries(entries)) map.set(digestOf(name), [{ id: p.id, reason: p.reason, expiresAt: p.expiresAt ?? null }]);
  return map;
}

export function ctx(over: Partial<EvaluationContext> = {}): EvaluationContext {
  return { now: NOW, pins: new Map(), pullsRecordedSince: ago(365), ...over };
}

/**
 * "A expire by rule 1", "B keep by pinned pin-x (deploy)", "C untag old by keep-rules 0", "D keep by none"; a trailing
 * "!never-pulled" marks a warning.
 */
export function brief(d: Decision): string {
  const name = d.digest.slice('sha256:'.length);
  const what = d.verdict === 'untag' ? `untag ${d.removeTags.join(',')}` : d.verdict;
  const by =
    d.by.kind === 'rule'
      ? `rule ${d.by.priority}`
      : d.by.kind === 'keep-rules'
        ? `keep-rules ${d.by.rules.join(',')}`
        : d.by.kind === 'pinned'
          ? `pinned ${d.by.pins.map((p) => `${p.id} (${p.reason})`).join(', ')}`
          : 'none';
  const warn = d.warnings.map((w) => (w.code === 'never-pulled-since-recording' ? ' !never-pulled' : ` !${w.code}`)).join('');
  return `${name} ${what} by ${by}${warn}`;
}

/** Every history a test file evaluated, so the file can replay them all through the asynchronous entry. */
export interface Fixture {
  images: readonly LifecycleImage[];
  policy: RetentionPolicy;
  ctx: EvaluationContext;
}

export const fixtures: Fixture[] = [];

/** `evaluate`, remembering the history for `bothEntries`. */
export function recorded(images: readonly LifecycleImage[], policy: RetentionPolicy, c: EvaluationContext): Decision[] {
  fixtures.push({ images, policy, ctx: c });
  return evaluate(images, policy, c);
}

async function* paged(images: readonly LifecycleImage[], size: number): AsyncGenerator<LifecycleImage[]> {
  for (let i = 0; i < images.length; i += size) yield images.slice(i, i + size);
}

/**
 * Both entries' answers for each fixture: the synchronous stream, and the asynchronous one over pages of 1, 2, 3 and
 * 1000 images. The caller asserts they are equal (core may not import node:assert).
 */
export async function bothEntries(list: readonly Fixture[]): Promise<Array<{ size: number; got: Decision[]; expected: Decision[] }>> {
  const out: Array<{ size: number; got: Decision[]; expected: Decision[] }> = [];
  for (const f of list) {
    const expected = [...evaluateStream(f.images, f.policy, f.ctx)];
    for (const size of [1, 2, 3, 1000]) {
      const got: Decision[] = [];
      for await (const d of evaluateStreamAsync(paged(f.images, size), f.policy, f.ctx)) got.push(d);
      out.push({ size, got, expected });
    }
  }
  return out;
}
