/* The trend page's chart: per saved walk, its findings per practice, and all of them, from the page's own JSON API
 * (/api/v1/walk/trend). Nothing inline (the Content-Security-Policy forbids inline script and style).
 */
(() => {
  "use strict";

  const DAY = 24 * 60 * 60 * 1000;
  const COLOURS = ["#2457a6", "#b54708", "#067647", "#9e2a9c", "#c11574", "#0e7090", "#6941c6", "#b42318"];

  const trendFigure = (trend) => {
    const snapshots = trend.snapshots;
    const x = snapshots.map((s) => s.taken_at);
    const labels = snapshots.map((s) => `snapshot ${s.id}`);
    const used = Object.keys(trend.practices).filter((practice) =>
      snapshots.some((s) => (s.by_practice[practice] || 0) > 0),
    );
    const data = used.map((practice, index) => ({
      type: "scatter",
      mode: "lines+markers",
      name: trend.practices[practice],
      x,
      y: snapshots.map((s) => s.by_practice[practice] || 0),
      text: labels,
      line: { color: COLOURS[index % COLOURS.length] },
      marker: { color: COLOURS[index % COLOURS.length] },
      hovertemplate: "%{text}: %{y}<extra>%{fullData.name}</extra>",
    }));
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: "All findings",
      x,
      y: snapshots.map((s) => s.findings),
      text: labels,
      line: { color: "#475467", dash: "dash" },
      marker: { color: "#475467" },
      hovertemplate: "%{text}: %{y} findings<extra></extra>",
    });
    const most = Math.max(1, ...snapshots.map((s) => s.findings));
    const xaxis = { type: "date", title: { text: "Saved (UTC)" }, fixedrange: true };
    if (snapshots.length === 1) {
      /* one walk is one point: show the day around it rather than a sub-millisecond axis */
      const at = Date.parse(x[0]);
      xaxis.range = [new Date(at - DAY).toISOString(), new Date(at + DAY).toISOString()];
    }
    const layout = {
      margin: { l: 56, r: 16, t: 16, b: 40 },
      yaxis: {
        title: { text: "Findings" },
        range: [0, most * 1.1],
        tickformat: "d",
        dtick: most <= 10 ? 1 : null,
        fixedrange: true,
      },
      xaxis,
      legend: { orientation: "h", y: -0.25 },
      showlegend: true,
      height: 360,
    };
    return { data, layout };
  };

  window.TandemCharts.drawWhenReady("trend-chart", trendFigure, {
    unloaded: "The chart could not be loaded; the table below has the same figures.",
    failed: "The chart could not be drawn; the table below has the same figures.",
  });
})();
