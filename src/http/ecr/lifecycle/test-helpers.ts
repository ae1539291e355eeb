// Test support: the policy texts of AWS's "Examples of lifecycle policies in Amazon ECR" page (plus the parameters
// page's prod* age example), kept as text so the tests parse exactly what a user would paste from the docs.

function rule(priority: number, description: string, selection: Record<string, unknown>): Record<string, unknown> {
  return { rulePriority: priority, description, selection, action: { type: 'expire' } };
}

function policy(...rules: Record<string, unknown>[]): string {
  return JSON.stringify({ rules }, null, 4);
}

const count = (n: number) => ({ countType: 'imageCountMoreThan', countNumber: n });
const days = (n: number) => ({ countType: 'sinceImagePushed', countUnit: 'days', countNumber: n });

export const AWS_EXAMPLES = {
  /** "Filtering on image age" (current page): prod* older than 14 days. */
  ageProd: policy(rule(1, 'Expire images older than 14 days', { tagStatus: 'tagged', tagPatternList: ['prod*'], ...days(14) })),
  /** "Filtering on image age" (earlier page): untagged older than 14 days. */
  ageUntagged: policy(rule(1, 'Expire images older than 14 days', { tagStatus: 'untagged', ...days(14) })),
  /** "Filtering on image count": keep one untagged image. */
  countUntagged: policy(rule(1, 'Keep only one untagged image, expire all others', { tagStatus: 'untagged', ...count(1) })),
  /** "Filtering on multiple rules", example A. */
  multipleA: policy(
    rule(1, 'Rule 1', { tagStatus: 'tagged', tagPrefixList: ['prod'], ...count(1) }),
    rule(2, 'Rule 2', { tagStatus: 'tagged', tagPrefixList: ['beta'], ...count(1) }),
  ),
  /** "Filtering on multiple rules", example B: priorities swapped. */
  multipleB: policy(
    rule(1, 'Rule 1', { tagStatus: 'tagged', tagPrefixList: ['beta'], ...count(1) }),
    rule(2, 'Rule 2', { tagStatus: 'tagged', tagPrefixList: ['prod'], ...count(1) }),
  ),
  /** "Filtering on multiple tags in a single rule", example A (countNumber before countUnit, as on the page). */
  tagsA: policy(rule(1, 'Rule 1', { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'sinceImagePushed', countNumber: 5, countUnit: 'days' })),
  /** "Filtering on multiple tags in a single rule", example B. */
  tagsB: policy(rule(1, 'Rule 1', { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], ...count(1) })),
  /** "Filtering on all images", example A. */
  allA: policy(rule(1, 'Rule 1', { tagStatus: 'any', ...count(1) })),
  /** "Filtering on all images", example B: every rule type in one policy. */
  allB: policy(
    rule(1, 'Rule 1', { tagStatus: 'tagged', tagPrefixList: ['alpha'], ...count(1) }),
    rule(2, 'Rule 2', { tagStatus: 'untagged', ...days(1) }),
    rule(3, 'Rule 3', { tagStatus: 'any', ...count(1) }),
  ),
} as const;
