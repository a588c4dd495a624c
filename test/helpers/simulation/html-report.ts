/**
 * The simulation's HTML report: the table, then per run a timeline of page loads per browser
 * context, coloured by the release that served them, with broken, mixed, loop, stranded and
 * lost events marked and the deploy steps drawn across. One self-contained file (inline CSS and
 * SVG, no script, no external asset); hovering a mark shows its details.
 */
import { escapeHtml } from "../../../src/html/escape.js";
import type { EventKind } from "./journal.js";
import type { SimulationResult } from "./run.js";

const RELEASE_COLOURS: Record<string, string> = { A: "#3b82f6", B: "#f59e0b" };
const UNKNOWN = "#9ca3af";

const MARKS: Record<EventKind, { colour: string; label: string; shape: "x" | "diamond" | "tri" }> =
  {
    broken: { colour: "#dc2626", label: "broken page", shape: "x" },
    mixed: { colour: "#7c3aed", label: "mixed page", shape: "diamond" },
    loop: { colour: "#111827", label: "loop", shape: "tri" },
    stranded: { colour: "#db2777", label: "stranded tab", shape: "tri" },
    lostPosts: { colour: "#059669", label: "lost POST", shape: "x" },
    lostText: { colour: "#0891b2", label: "lost typed text", shape: "diamond" },
  };

const WIDTH = 1100;
const LEFT = 70;
const ROW = 34;
const TOP = 24;

function shape(kind: EventKind, x: number, y: number, title: string): string {
  const { colour, shape } = MARKS[kind];
  const tip = `<title>${escapeHtml(title)}</title>`;
  if (shape === "x")
    return `<g stroke="${colour}" stroke-width="2.5">${tip}<line x1="${x - 5}" y1="${y - 5}" x2="${x + 5}" y2="${y + 5}"/><line x1="${x - 5}" y1="${y + 5}" x2="${x + 5}" y2="${y - 5}"/></g>`;
  if (shape === "diamond")
    return `<polygon fill="${colour}" points="${x},${y - 6} ${x + 6},${y} ${x},${y + 6} ${x - 6},${y}">${tip}</polygon>`;
  return `<polygon fill="${colour}" points="${x},${y + 6} ${x - 6},${y - 5} ${x + 6},${y - 5}">${tip}</polygon>`;
}

/** One run's timeline as SVG. */
function timeline(run: SimulationResult): string {
  const users = [...new Set(run.loads.map((l) => l.user))].sort((a, b) => a - b);
  const span = Math.max(run.duration, 1);
  const x = (at: number) => LEFT + (Math.min(at, span) / span) * (WIDTH - LEFT - 10);
  const height = TOP + users.length * ROW + 30;
  const parts: string[] = [];
  run.steps.forEach((step, i) => {
    const sx = x(step.at);
    parts.push(
      `<line x1="${sx}" y1="${TOP - 10}" x2="${sx}" y2="${height - 24}" stroke="#6b7280" stroke-dasharray="3 3"><title>${escapeHtml(step.text)}</title></line>`,
      `<text x="${sx + 2}" y="${TOP - 12}" class="step">${i + 1}</text>`,
    );
  });
  users.forEach((user, row) => {
    const y = TOP + row * ROW;
    parts.push(`<text x="4" y="${y + 18}" class="user">user ${user}</text>`);
    const loads = run.loads.filter((l) => l.user === user);
    loads.forEach((load, i) => {
      const x1 = x(load.at);
      const x2 = x(loads[i + 1]?.at ?? span);
      const colour = (load.release && RELEASE_COLOURS[load.release]) || UNKNOWN;
      const title = `${(load.at / 1000).toFixed(2)} s: ${load.url} of release ${load.release ?? "?"}, ${load.auto ? "automatic" : "by the user"} (${load.action})`;
      parts.push(
        `<rect x="${x1}" y="${y + 4}" width="${Math.max(x2 - x1, 1)}" height="${ROW - 12}" fill="${colour}" stroke="#fff" stroke-width="0.5"><title>${escapeHtml(title)}</title></rect>`,
      );
      if (load.auto)
        parts.push(
          `<line x1="${x1}" y1="${y + 1}" x2="${x1}" y2="${y + ROW - 5}" stroke="#111827" stroke-width="1.5"/>`,
        );
    });
    for (const event of run.events.filter((e) => e.user === user))
      parts.push(shape(event.kind, x(event.at), y + ROW / 2 - 2, `${event.kind}: ${event.detail}`));
  });
  const seconds = Math.floor(span / 1000);
  const tick = seconds > 60 ? 10 : 5;
  for (let s = 0; s <= seconds; s += tick) {
    parts.push(`<text x="${x(s * 1000)}" y="${height - 8}" class="tick">${s} s</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" role="img">${parts.join("")}</svg>`;
}

function legend(): string {
  const releases = Object.entries(RELEASE_COLOURS)
    .map(([r, c]) => `<span><i style="background:${c}"></i>served by release ${r}</span>`)
    .join("");
  const marks = (Object.keys(MARKS) as EventKind[])
    .map(
      (kind) =>
        `<span><svg width="14" height="14">${shape(kind, 7, 7, MARKS[kind].label)}</svg>${MARKS[kind].label}</span>`,
    )
    .join("");
  return `<p class="legend">${releases}<span><i style="background:${UNKNOWN}"></i>release unknown</span><span><b>|</b> automatic load (not started by the user)</span>${marks}<span>dashed: deploy step</span></p>`;
}

function runSection(run: SimulationResult): string {
  const steps = run.steps
    .map((s, i) => `<li value="${i + 1}">${(s.at / 1000).toFixed(1)} s: ${escapeHtml(s.text)}</li>`)
    .join("");
  const events =
    run.events.length === 0
      ? "<p>No failure.</p>"
      : `<details><summary>${run.events.length} failures</summary><ul>${run.events
          .slice(0, 200)
          .map(
            (e) =>
              `<li><b>${MARKS[e.kind].label}</b> user ${e.user}, ${(e.at / 1000).toFixed(1)} s: ${escapeHtml(e.detail)}</li>`,
          )
          .join("")}</ul></details>`;
  return `<section><h2>${escapeHtml(run.label)}</h2>${timeline(run)}<div class="cols"><div><h3>Deploy steps</h3><ol>${steps}</ol></div><div><h3>Failures</h3>${events}</div></div></section>`;
}

/** The whole report; `table` is the console table of the same runs. */
export function htmlReport(runs: readonly SimulationResult[], table: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>vite-rolling: rolling-deploy simulation</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111827}
pre{background:#f3f4f6;padding:12px;overflow:auto;font-size:12px}
.legend span{margin-right:16px;white-space:nowrap}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
.legend svg{vertical-align:-2px;margin-right:4px}
.user,.tick,.step{font-size:11px;fill:#374151}
.cols{display:flex;gap:32px}.cols>div{flex:1;font-size:12px}
section{margin-top:28px;border-top:1px solid #e5e7eb}
</style></head><body>
<h1>Rolling deploy, driven by real browsers</h1>
<p>Real nginx round robin over real app instances; each user is a Chromium context repeating a boosted navigation, a load-triggered fragment, a polled fragment, a lazy chunk, a form POST and typing. Each bar is one full page load, coloured by the release that served it.</p>
<pre>${escapeHtml(table)}</pre>
${legend()}
${runs.map(runSection).join("\n")}
</body></html>
`;
}
