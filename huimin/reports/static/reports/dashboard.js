// Dashboard charts: data from the page's json_script (the CSP allows no inline script);
// every bar and point links to the indicator page it summarises.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var percent = function (unit) { return unit === "rate" ? "%" : ""; };
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart");
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      var option, urls;
      if (kind === "trend") {
        var series = data.trend.series;
        var stacked = data.board === "insurance";
        option = {
          title: { text: "本年逐月趋势", left: 8, top: 4, textStyle: { fontSize: 13 } },
          tooltip: { trigger: "axis" },
          legend: { top: 26, left: 8, itemWidth: 14, textStyle: { fontSize: 11 } },
          grid: { top: 72, left: 60, right: stacked ? 70 : 16, bottom: 28 },
          xAxis: { type: "category", data: data.trend.months.map(function (m) { return m.replace(/^\d+年/, ""); }) },
          // Insurance: spending by tier stacked on the left axis, income on the right
          // (a year's contributions arrive in a few months and would flatten the bars).
          yAxis: stacked
            ? [{ type: "value", name: "支出" }, { type: "value", name: "收入", splitLine: { show: false } }]
            : { type: "value", axisLabel: { formatter: "{value}" + (series[0] ? percent(series[0].unit) : "") } },
          series: series.map(function (s, i) {
            var isIncome = stacked && i === series.length - 1;
            return {
              name: s.name,
              type: stacked && !isIncome ? "bar" : "line",
              stack: stacked && !isIncome ? "spend" : undefined,
              yAxisIndex: isIncome ? 1 : 0,
              data: s.data,
              connectNulls: false
            };
          })
        };
        urls = function (p) { return series[p.seriesIndex] && series[p.seriesIndex].urls[p.dataIndex]; };
      } else {
        var rank = kind === "rank" ? data.ranks[Number(el.getAttribute("data-index"))] : { name: "机构基金支出（前15）", unit: "amount", bars: data.institutions };
        var bars = rank.bars.slice().reverse();
        option = {
          title: { text: rank.name + (kind === "rank" ? " · 下级排名" : ""), textStyle: { fontSize: 13 } },
          tooltip: { trigger: "item" },
          grid: { top: 32, left: 110, right: 40, bottom: 20 },
          xAxis: { type: "value", axisLabel: { formatter: "{value}" + percent(rank.unit) } },
          yAxis: { type: "category", data: bars.map(function (b) { return b.name; }), axisLabel: { fontSize: 11 } },
          series: [{ type: "bar", data: bars.map(function (b) { return b.value; }), label: { show: true, position: "right", fontSize: 10 } }]
        };
        urls = function (p) { return bars[p.dataIndex] && bars[p.dataIndex].url; };
      }
      chart.setOption(option);
      chart.on("click", function (p) { var u = urls(p); if (u) window.location.href = u; });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
