// A key's grants as an operator types them in the console ("team/*: pull,push", one a line) to the API's shape.
/** "team/*: pull,push" one a line -> [{repositories, actions}]. */
export function parseGrants(text) {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.lastIndexOf(':');
      if (at < 1) throw new Error(`“${line}”: write a grant as  repositories: actions  (e.g. team/*: pull,push)`);
      return {
        repositories: line.slice(0, at).trim(),
        actions: line
          .slice(at + 1)
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean),
      };
    });
}
