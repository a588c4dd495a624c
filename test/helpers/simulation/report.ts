/** The figures of simulation runs as a small console table. */
import type { Figures } from "./driver.js";

const COLUMNS: [keyof Figures, string][] = [
  ["pages", "pages"],
  ["assets", "assets"],
  ["broken", "broken"],
  ["mixed", "mixed"],
  ["crossServed", "cross-served"],
  ["lazy", "lazy"],
  ["serverErrors", "5xx"],
  ["lost", "lost"],
  ["retried", "retried"],
];

/**
 * One row per run. "cross-served": asset requests answered by an instance of the other
 * release (the case a rolling deploy breaks); "retried": requests re-sent once because nginx
 * closed an idle keep-alive connection on reload (a browser does the same).
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
