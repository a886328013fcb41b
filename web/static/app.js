// Leapfrog pages: month picker and the cockpit charts. No inline scripts (CSP).
(function () {
  "use strict";
  // One colour per industry, the same on every chart: the plan file's.
  var TOTAL_COLOUR = "#444c56";

  function onReady(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }

  function yi(wan) { return wan == null ? null : Math.round(wan / 100) / 100; }

  onReady(function () {
    // The menu behind its button on a phone.
    var toggle = document.querySelector(".menu-toggle"), menu = document.getElementById("menu");
    if (toggle && menu) toggle.addEventListener("click", function () {
      var open = menu.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    var month = document.getElementById("month");
    if (month) month.addEventListener("change", function () { month.form.submit(); });
    Array.prototype.forEach.call(document.querySelectorAll("select.autosubmit"), function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });

    var host = document.getElementById("chart-attainment");
    if (!host || !window.echarts) return;
    fetch(host.getAttribute("data-src"), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) { draw(data); });

    function draw(data) {
      var rows = data.rows.filter(function (r) { return r.zone === "all" && r.target != null; });
      var names = rows.map(function (r) { return r.industry_name || r.industry; });
      var json = function (url) { return fetch(url, { headers: { "Accept": "application/json" } }).then(function (r) { return r.json(); }); };
      var forecastSrc = host.getAttribute("data-src").replace("/api/v1/cockpit", "/api/v1/forecast");
      Promise.all([json("/api/v1/plan"), json(forecastSrc).catch(function () { return []; })]).then(function (got) {
        var plan = got[0], forecast = got[1];
        // 预计全年 as a share of the target: a marker, apart from the official bars.
        var projectedPct = rows.map(function (r) {
          var f = forecast.find(function (x) { return x.industry === r.industry && x.zone === r.zone; });
          return f && f.projected != null && f.target ? Math.round(f.projected / f.target * 1000) / 10 : null;
        });
        var nameOf = {}, colourOf = { all: TOTAL_COLOUR };
        plan.industries.forEach(function (i) { nameOf[i.code] = i.name; colourOf[i.code] = i.colour; });
        nameOf.all = plan.total_label;
        names = rows.map(function (r) { return nameOf[r.industry] || r.industry; });
        var bar = echarts.init(host, null, { locale: "ZH" });
        bar.setOption({
          title: { text: "完成率与序时进度", left: 8, top: 6, textStyle: { fontSize: 14 } },
          tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v.toFixed(1) + "%"; } },
          // Under the title: three entries do not fit beside it on a phone.
          legend: { top: 30, left: 8 },
          grid: { left: 48, right: 16, top: 72, bottom: 64 },
          xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: 30 } },
          yAxis: { type: "value", name: "%" },
          series: [
            { name: "完成率", type: "bar", data: rows.map(function (r) {
                return { value: r.attainment_pct, itemStyle: { color: colourOf[r.industry] || "#888" } }; }) },
            { name: "序时进度", type: "line", symbol: "none", lineStyle: { type: "dashed", color: "#b42318" },
              data: rows.map(function (r) { return r.time_progress_pct; }) },
            { name: "预计全年完成率(预测)", type: "scatter", symbol: "diamond", symbolSize: 12,
              itemStyle: { color: "#fff", borderColor: "#424a53", borderWidth: 2 }, data: projectedPct }
          ]
        });
        var trendHost = document.getElementById("chart-trend");
        var trend = echarts.init(trendHost, null, { locale: "ZH" });
        trend.setOption({
          title: { text: "月度走势(亿元)与同比", left: 8, top: 6, textStyle: { fontSize: 14 } },
          tooltip: { trigger: "axis" },
          legend: { top: 6, right: 8 },
          grid: { left: 56, right: 48, top: 44, bottom: 32 },
          xAxis: { type: "category", data: data.trend.map(function (t) { return Number(t.month.slice(5)) + "月"; }) },
          yAxis: [{ type: "value", name: "亿元" }, { type: "value", name: "同比%", splitLine: { show: false } }],
          series: [
            { name: "本年", type: "bar", data: data.trend.map(function (t) { return yi(t.value); }), itemStyle: { color: "#1d5fb8" },
              tooltip: { valueFormatter: function (v) { return v == null ? "—" : v.toFixed(2) + " 亿元"; } } },
            { name: "上年", type: "bar", data: data.trend.map(function (t) { return yi(t.value_prev_year); }), itemStyle: { color: "#9db7dc" },
              tooltip: { valueFormatter: function (v) { return v == null ? "—" : v.toFixed(2) + " 亿元"; } } },
            { name: "同比", type: "line", yAxisIndex: 1, data: data.trend.map(function (t) { return t.yoy_pct == null ? null : Math.round(t.yoy_pct * 10) / 10; }),
              itemStyle: { color: "#d9730d" }, tooltip: { valueFormatter: function (v) { return v == null ? "—" : v.toFixed(1) + "%"; } } }
          ]
        });
        window.addEventListener("resize", function () { bar.resize(); trend.resize(); });
      });
    }
  });

  // An enterprise's months: each amount series as a line, from the page's own data.
  onReady(function () {
    var host = document.getElementById("chart-enterprise");
    if (!host || typeof echarts === "undefined") return;
    var data = JSON.parse(host.getAttribute("data-series"));
    var chart = echarts.init(host, null, { locale: "ZH" });
    chart.setOption({
      aria: { enabled: true, decal: { show: true } },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v.toFixed(2); } },
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", name: "万元" },
      series: data.series.map(function (s) { return { name: s.name, type: "line", data: s.values, connectNulls: false }; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });

  // The service statistics: tickets received and resolved per month, and the satisfaction rate.
  onReady(function () {
    var host = document.getElementById("chart-tickets");
    if (!host || typeof echarts === "undefined") return;
    var data = JSON.parse(host.getAttribute("data-series"));
    var chart = echarts.init(host, null, { locale: "ZH" });
    chart.setOption({
      aria: { enabled: true, decal: { show: true } },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: 50, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.months },
      yAxis: [{ type: "value", name: "件", minInterval: 1 }, { type: "value", name: "满意率%", min: 0, max: 100 }],
      series: [
        { name: "受理量", type: "bar", data: data.received },
        { name: "已办结", type: "bar", data: data.resolved },
        { name: "满意率", type: "line", yAxisIndex: 1, data: data.satisfaction, connectNulls: true }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
  // The public page: each industry's attainment against 序时进度, described for screen readers
  // (ECharts' aria), bars patterned as well as coloured; the table beside it holds every figure.
  onReady(function () {
    var host = document.getElementById("chart-public");
    if (!host || typeof echarts === "undefined") return;
    var data = JSON.parse(host.getAttribute("data-series"));
    var chart = echarts.init(host, null, { locale: "ZH" });
    chart.setOption({
      aria: { enabled: true, decal: { show: true } },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v.toFixed(1) + "%"; } },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 100 },
      xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: 30, color: "#1f2328" } },
      yAxis: { type: "value", name: "%", axisLabel: { color: "#1f2328" } },
      series: [
        { name: "完成率", type: "bar", itemStyle: { color: "#1d5fb8" }, data: data.attainment },
        { name: "序时进度", type: "line", symbol: "none", lineStyle: { type: "dashed", color: "#b42318", width: 2 },
          itemStyle: { color: "#b42318" }, data: data.names.map(function () { return data.schedule; }) },
        { name: "预计全年完成率(预测)", type: "scatter", symbol: "diamond", symbolSize: 12,
          itemStyle: { color: "#fff", borderColor: "#1f2328", borderWidth: 2 }, data: data.projected }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
