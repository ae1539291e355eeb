// SWR tag regexps run on a backtracking engine in the event loop: shapes that backtrack exponentially are refused.
// SWR itself runs Go's RE2, which has no backreferences or lookaround, so refusing them loses no SWR policy; nested or
// alternating repetition (`(a+)+`, `(a|aa)*`) is refused too and has a flat equivalent (`a+`, `[ab]*`).

const QUANTIFIER = /^(?:[*+]|\{\d+,\d*\}|\{\d+\})/;

type Group = { repeats: boolean; alternates: boolean };

/** Why `pattern` could backtrack catastrophically (or use what RE2 lacks), or null when it is safe to run. */
export function unsafeRegExpReason(pattern: string): string | null {
  const stack: Group[] = [{ repeats: false, alternates: false }];
  const top = (): Group => stack[stack.length - 1] as Group;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) return 'backreferences are not supported';
      i++;
    } else if (c === '[') {
      i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
    } else if (c === '(') {
      if (/^\(\?<?[=!]/.test(pattern.slice(i, i + 4))) return 'lookaround is not supported';
      stack.push({ repeats: false, alternates: false });
    } else if (c === ')' && stack.length > 1) {
      const group = stack.pop() as Group;
      const repeated = QUANTIFIER.test(pattern.slice(i + 1)) && !/^\{[01]\}|^\{0,1\}/.test(pattern.slice(i + 1));
      if (repeated && group.repeats) return 'a repeated group contains a repetition (nested quantifiers)';
      if (repeated && group.alternates) return 'a repeated group contains an alternation';
      top().repeats ||= group.repeats || repeated;
    } else if (c === '|') {
      top().alternates = true;
    } else if (QUANTIFIER.test(pattern.slice(i)) || c === '?') {
      if (c !== '?') top().repeats = true;
    }
  }
  return null;
}
