// The "name contains" filters of both metadata adapters match with LIKE ... ESCAPE '\'; one escaping rule keeps a
// '%' or '_' in the searched text literal on SQLite and PostgreSQL alike.

/** LIKE pattern for "contains", with the wildcards of the text escaped (ESCAPE '\' needs standard_conforming_strings on PostgreSQL, the default). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
