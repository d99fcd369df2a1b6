/* The trust page's chart: per direction, the trust index of each released pulse with its interval as error bars.
 *
 * The figures come from the page's own JSON API (/api/v1/teams/{team}/trust), which shows only what the privacy
 * gate released: the trend's pulses when the trend is released, else the latest pulse alone. Nothing inline (the
 * Content-Security-Policy forbids inline script and style).
 */
(() => {
  "use strict";

  const NAMES = {
    product_to_engineering: "Product's trust in engineering",
    engineering_to_product: "Engineering's trust in product",
  };
  const COLOURS = { product_to_engineering: "#2457a6", engineering_to_product: "#b54708" };

  const trace = (direction) => {
    const figures = direction.figures;
    const points = figures.trend
      ? figures.trend.pulses
      : [{ date: figures.date, trust_index: figures.trust_index, ci_low: figures.ci_low, ci_high: figures.ci_high }];
    return {
      type: "scatter",
      mode: "lines+markers",
      name: NAMES[direction.direction] || direction.direction,
      x: points.map((p) => p.date),
      y: points.map((p) => p.trust_index),
      error_y: {
        type: "data",
        symmetric: false,
        array: points.map((p) => p.ci_high - p.trust_index),
        arrayminus: points.map((p) => p.trust_index - p.ci_low),
      },
      marker: { color: COLOURS[direction.direction] },
      line: { color: COLOURS[direction.direction] },
    };
  };

  const figureOf = (trust) => {
    const data = trust.directions.filter((d) => d.figures).map(trace);
    const layout = {
      margin: { l: 48, r: 16, t: 16, b: 40 },
      yaxis: { title: { text: "Trust index (1–7)" }, range: [1, 7], fixedrange: true },
      xaxis: { type: "category", title: { text: "Pulse opened" }, fixedrange: true },
      legend: { orientation: "h", y: -0.2 },
      showlegend: true,
      height: 320,
    };
    return { data, layout };
  };

  window.TandemCharts.drawWhenReady("trust-chart", figureOf, {
    unloaded: "The chart could not be loaded; the figures above are the same.",
    failed: "The chart could not be drawn; the figures above are the same.",
  });
})();
