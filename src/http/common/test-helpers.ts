// Test support for the metrics modules here: reading one series out of Prometheus's text exposition.

/** The value of `series` (name and labels exactly as exposed) in Prometheus text, or undefined when it is absent. */
export function seriesValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
