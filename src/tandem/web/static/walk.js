/* The walk report's charts: the org heatmap and each finding's evidence chart, drawn with Plotly from the figure
 * JSON the server built (tandem.walk.report.charts), which the page carries in its walk-figures JSON block.
 *
 * One script for both homes of the report: the web app's home page loads it from /static (its Content-Security-Policy
 * forbids inline script and style), the self-contained HTML file has it inline after Plotly's bundle.
 */
(() => {
  "use strict";

  const CONFIG = {
    responsive: true,
    displayModeBar: false /* its buttons would need inline style rules, which the web app's CSP refuses */,
  };

  const figures = () => {
    const block = document.getElementById("walk-figures");
    if (!block) return {};
    try {
      return JSON.parse(block.textContent);
    } catch (_error) {
      return {};
    }
  };

  const fail = (chart, message) => {
    chart.textContent = message;
    chart.classList.add("walk-chart-failed");
  };

  const drawAll = () => {
    const all = figures();
    for (const chart of document.querySelectorAll(".walk-chart[data-figure]")) {
      const figure = all[chart.dataset.figure];
      if (!figure) continue;
      if (!window.Plotly) {
        fail(chart, "The chart could not be loaded; the figures beside it are the same.");
        continue;
      }
      window.Plotly.newPlot(chart, figure.data, figure.layout, CONFIG).then(
        () => {
          chart.dataset.drawn = "true";
        },
        () => fail(chart, "The chart could not be drawn; the figures beside it are the same."),
      );
    }
  };

  /* In the web app Plotly's bundle is a deferred script after this one: wait for it (deferred scripts all run
   * before DOMContentLoaded). In the file, Plotly is already there. */
  let drawn = false;
  const drawOnce = () => {
    if (!drawn) {
      drawn = true;
      drawAll();
    }
  };
  if (window.Plotly || document.readyState === "complete") drawOnce();
  else {
    document.addEventListener("DOMContentLoaded", drawOnce, { once: true });
    window.addEventListener("load", drawOnce, { once: true });
  }
})();
