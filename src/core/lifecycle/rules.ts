// The retention engine's rule model: one shape that ECR lifecycle policies and SWR retention policies both translate
// into, so the dialects (and the berth API) differ only in parsing, never in what a policy decides.

/** Which images an expire rule looks at: ECR's tagStatus. */
export type TagStatus = 'tagged' | 'untagged' | 'any';

/** An expire rule's criterion: ECR's countType with its countNumber (and countUnit days for the ages). */
export type ExpireCount =
  /** Keep the newest `n` images the rule selects; the older ones are candidates to expire. */
  | { type: 'imageCountMoreThan'; n: number }
  /** Expire images pushed more than `days` days before the evaluation time. */
  | { type: 'sinceImagePushed'; days: number }
  /** Expire images whose last recorded pull (see LIFECYCLE.md for never-pulled images) is more than `days` days old. */
  | { type: 'sinceImagePulled'; days: number };

/**
 * ECR's rule: select images by tag status and tag lists, then expire by count or age. An image is decided by the first
 * rule (lowest priority value) whose selection it matches; later rules still count it (see expire-engine.ts).
 */
export interface ExpireRule {
  kind: 'expire';
  /** ECR's rulePriority: a unique positive integer; lower values are evaluated first. */
  priority: number;
  description?: string;
  tagStatus: TagStatus;
  /**
   * ECR's tagPatternList: wildcards, `*` matches any run of characters (at most four per pattern). The image must
   * carry, for EVERY pattern, at least one tag matching it (the tags may differ).
   */
  tagPatterns: readonly string[];
  /** ECR's tagPrefixList: same all-of semantics as the patterns; a rule uses one list or the other. */
  tagPrefixes: readonly string[];
  count: ExpireCount;
}

/**
 * SWR's tag_selectors: tags the rule neither counts nor removes. An exception, not a selection: a tag that matches is
 * invisible to the rule. `label` is an exact tag; `regexp` matches anywhere in the tag unless anchored (Go's
 * MatchString, which SWR uses; a wider match protects more).
 */
export interface TagSelector {
  kind: 'label' | 'regexp';
  pattern: string;
}

/** SWR's rule: keep some tags, remove the rest; it works per tag, never on untagged images. */
export type KeepRule =
  /** SWR date_rule: keep tags pushed (or moved) within the last `days` days. */
  | { kind: 'date_rule'; days: number; exceptions: readonly TagSelector[] }
  /** SWR tag_rule: keep the `n` most recently pushed tags of the repository. */
  | { kind: 'tag_rule'; n: number; exceptions: readonly TagSelector[] };

/**
 * A repository's policy. `expire` is ECR's family (rules over images, by priority); `keep` is SWR's family (rules over
 * tags, combined with SWR's algorithm "or": a tag stays while at least one rule keeps it or exempts it).
 */
export type RetentionPolicy = { family: 'expire'; rules: readonly ExpireRule[] } | { family: 'keep'; rules: readonly KeepRule[] };

export const DAY_MS = 86_400_000;

/** ECR's limit on wildcards per tag pattern. */
export const MAX_WILDCARDS = 4;

/** Long enough for any sensible tag expression, short enough to bound the cost of a bad one (tags are <= 128 chars). */
export const MAX_REGEXP_LENGTH = 256;
