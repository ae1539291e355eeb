// Tag matching for both rule families, compiled once per evaluation so a 100,000-image pass tests tags, not patterns.
import type { ExpireRule, TagSelector } from './rules.ts';

/** ECR wildcard: `*` is any run of characters (empty included); everything else is literal; the whole tag must match. */
export function wildcardRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

/** One entry of a tag list: does this single tag satisfy it? */
type TagTest = (tag: string) => boolean;

/**
 * Does an image with these tags fall under the rule's selection? `untagged` takes only images without tags, `any`
 * takes all, `tagged` takes an image that has, for every list entry, some tag satisfying it (ECR's documented all-of).
 */
export function selectionMatcher(rule: Pick<ExpireRule, 'tagStatus' | 'tagPatterns' | 'tagPrefixes'>): (tags: readonly string[]) => boolean {
  if (rule.tagStatus === 'any') return () => true;
  if (rule.tagStatus === 'untagged') return (tags) => tags.length === 0;
  const patterns = rule.tagPatterns.map(wildcardRegExp);
  const tests: TagTest[] = [...patterns.map((re) => (tag: string) => re.test(tag)), ...rule.tagPrefixes.map((p) => (tag: string) => tag.startsWith(p))];
  return (tags) => tags.length > 0 && tests.every((test) => tags.some(test));
}

/** An SWR rule's exceptions as one test: true for a tag the rule must neither count nor remove. */
export function exceptionMatcher(selectors: readonly TagSelector[]): (tag: string) => boolean {
  if (selectors.length === 0) return () => false;
  const labels = new Set(selectors.filter((s) => s.kind === 'label').map((s) => s.pattern));
  const res = selectors.filter((s) => s.kind === 'regexp').map((s) => new RegExp(s.pattern));
  return (tag) => labels.has(tag) || res.some((re) => re.test(tag));
}
