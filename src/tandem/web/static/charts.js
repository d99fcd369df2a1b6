/* Drawing a Plotly chart from a page's own JSON, shared by the pages with a chart (plan.js, trust.js, overlap.js),
 * which load this script first. Charts reading the same URL share one request (the overlap page draws two charts
 * from its API). Nothing inline (the Content-Security-Policy forbids inline script and style).
 */
(() => {
  "use strict";

  const loaded = new Map();

  /* The JSON at a URL, fetched once per page however many charts read it. */
  const load = (url) => {
    if (!loaded.has(url)) {
      loaded.set(
        url,
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then((response) => {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        }),
      );
    }
    return loaded.get(url);
  };

  /* Draw the chart in the element with this id, from the JSON at its data-src, once Plotly is there: deferred
   * scripts all run before DOMContentLoaded, so by then Plotly's bundle (loaded after the page's script) is too.
   * toFigure turns the JSON into {data, layout}; messages.unloaded and messages.failed replace the chart when
   * Plotly did not load or the chart could not be drawn. */
  const drawWhenReady = (id, toFigure, messages) => {
    const drawChart = async () => {
      const chart = document.getElementById(id);
      if (!chart) return;
      if (!window.Plotly) {
        chart.textContent = messages.unloaded;
        return;
      }
      try {
        const figure = toFigure(await load(chart.dataset.src));
        await window.Plotly.newPlot(chart, figure.data, figure.layout, {
          responsive: true,
          displayModeBar: false /* its buttons would need inline style rules, which the CSP refuses */,
        });
        chart.dataset.drawn = "true";
      } catch (_error) {
        chart.textContent = messages.failed;
      }
    };

    let drawn = false;
    const drawOnce = () => {
      if (!drawn) {
        drawn = true;
        drawChart();
      }
    };
    if (window.Plotly || document.readyState === "complete") drawOnce();
    else {
      document.addEventListener("DOMContentLoaded", drawOnce, { once: true });
      window.addEventListener("load", drawOnce, { once: true });
    }
  };

  window.TandemCharts = { drawWhenReady };
})();
