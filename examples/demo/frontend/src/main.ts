import { stamp } from "./shared/format";
import "./styles/main.css";
import "./styles/releases.css";

const status = document.querySelector<HTMLElement>("[data-status]");
if (status) status.textContent = stamp("home script ran");

// A lazy chunk: after a deploy its old file may be gone; vite-rolling recovers the tab.
document.querySelector("[data-chart]")?.addEventListener("click", async () => {
  const { drawChart } = await import("./lazy/chart");
  drawChart(document.querySelector<HTMLElement>("[data-chart-target]")!);
});
