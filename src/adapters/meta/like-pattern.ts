// One LIKE escaping rule for the "name contains" filters, so '%' and '_' stay literal on SQLite and PostgreSQL alike.

/** LIKE pattern for "contains", with the wildcards of the text escaped (ESCAPE '\' needs standard_conforming_strings on PostgreSQL, the default). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
