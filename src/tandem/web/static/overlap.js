/* The overlap page's charts, both from the page's own JSON API (/api/v1/teams/{team}/overlap), fetched once:
 * the ritual calendar heatmap, which the server builds as Plotly figure JSON (tandem.overlap.charts), and the
 * monthly trend of discovery with an engineer and delivery with product, drawn here against their thresholds.
 * Nothing inline (the Content-Security-Policy forbids inline script and style).
 */
(() => {
  "use strict";

  const SERIES = [
    {
      key: "discovery_with_engineer",
      threshold: "discovery_engineer_share",
      name: "Discovery and planning with an engineer",
      colour: "#2457a6",
    },
    {
      key: "delivery_with_product",
      threshold: "delivery_product_share",
      name: "Delivery rituals with product",
      colour: "#b54708",
    },
  ];

  const trendFigure = (overlap) => {
    const months = Object.keys(overlap.figures.trend);
    const data = [];
    for (const series of SERIES) {
      data.push({
        type: "scatter",
        mode: "lines+markers",
        name: series.name,
        x: months,
        y: months.map((month) => overlap.figures.trend[month][series.key]),
        connectgaps: false,
        line: { color: series.colour },
        marker: { color: series.colour },
        hovertemplate: "%{x}: %{y:.0%}<extra></extra>",
      });
      const threshold = overlap.thresholds[series.threshold];
      data.push({
        type: "scatter",
        mode: "lines",
        name: `Threshold ${Math.round(threshold * 100)}%`,
        x: [months[0], months[months.length - 1]],
        y: [threshold, threshold],
        line: { color: series.colour, dash: "dash", width: 1 },
        hoverinfo: "skip",
      });
    }
    const layout = {
      margin: { l: 56, r: 16, t: 16, b: 40 },
      yaxis: { title: { text: "Share present" }, range: [0, 1.05], tickformat: ".0%", fixedrange: true },
      xaxis: { type: "category", title: { text: "Month (UTC)" }, fixedrange: true },
      legend: { orientation: "h", y: -0.25 },
      showlegend: true,
      height: 340,
    };
    return { data, layout };
  };

  window.TandemCharts.drawWhenReady("overlap-trend", trendFigure, {
    unloaded: "The chart could not be loaded; the table below has the same figures.",
    failed: "The chart could not be drawn; the table below has the same figures.",
  });
  window.TandemCharts.drawWhenReady("overlap-heatmap", (overlap) => overlap.heatmap, {
    unloaded: "The heatmap could not be loaded; the table below has the same figures.",
    failed: "The heatmap could not be drawn; the table below has the same figures.",
  });
})();
