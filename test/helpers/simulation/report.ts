/** The figures of simulation runs as a small console table. */
import type { Figures } from "./journal.js";

/** Table columns: figure, title. */
export const COLUMNS: [keyof Figures, string][] = [
  ["actions", "actions"],
  ["loads", "loads"],
  ["autoLoads", "auto"],
  ["broken", "broken"],
  ["mixed", "mixed"],
  ["loops", "loops"],
  ["stranded", "stranded"],
  ["posts", "POSTs"],
  ["lostPosts", "lost POSTs"],
  ["typedReloads", "typed+reload"],
  ["lostText", "lost text"],
  ["crossServed", "cross-served"],
  ["lazy", "lazy"],
  ["stuck", "stuck"],
];

/**
 * One row per run. "auto": full loads the user did not start (recoveries); "typed+reload":
 * typing actions with a reload between typing and the check (what form restore must survive);
 * "cross-served": asset responses from an instance of another release than the asset's (the
 * case a rolling deploy breaks); "stuck": actions whose result never showed (diagnostic).
 */
export function figuresTable(rows: readonly { label: string; figures: Figures }[]): string {
  const header = ["run", ...COLUMNS.map(([, title]) => title)];
  const body = rows.map((row) => [row.label, ...COLUMNS.map(([key]) => String(row.figures[key]))]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
