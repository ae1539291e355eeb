// The console's client-side routes (console/lib/router.js): a deep link to one of them is answered with index.html,
// so a reload or a pasted address works, while every other /ui path is a 404 instead of a page that hides a typo.
export const CLIENT_ROUTES: readonly string[] = ['login', 'repositories', 'gc', 'pins', 'keys', 'audit'];

/** Whether `path` (under /ui/, no leading slash, no query) is one of the console's own pages. */
export function isClientRoute(path: string): boolean {
  if (path === '') return true;
  const first = path.split('/')[0]!;
  // /ui/repositories is the list, /ui/repositories/<name> a repository (names have slashes); the others take nothing.
  if (first === 'repositories') return path === first || (path.length > 'repositories/'.length && !path.includes('//'));
  return CLIENT_ROUTES.includes(first) && path === first;
}
