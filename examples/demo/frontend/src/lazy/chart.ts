import "../styles/chart.css";

export function drawChart(target: HTMLElement): void {
  const bars = [3, 7, 4, 9, 5];
  target.replaceChildren(
    ...bars.map((value) => {
      const bar = document.createElement("div");
      bar.className = "bar";
      bar.style.width = `${value * 10}%`;
      return bar;
    }),
  );
}
