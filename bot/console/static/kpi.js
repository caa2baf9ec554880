"use strict";
// The call-centre manager's daily page: KPI tiles and hand-drawn SVG charts from /console/api/kpi.
(function () {
  var el = Console.el, clear = Console.clear;
  var SVG = "http://www.w3.org/2000/svg";
  var REASONS = {
    asked_for_human: "顾客要求", not_understood_twice: "两次没听懂", angry_customer: "情绪激动",
    claim_over_limit: "理赔超限", backend_down: "系统故障", manager_requested: "找客户经理", unspecified: "未注明"
  };
  var TEAMS = { general: "在线客服", complaints: "投诉处理", claims: "理赔", vip: "VIP" };

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    if (text !== undefined) { node.textContent = String(text); }
    return node;
  }

  function percent(rate) { return rate === null || rate === undefined ? "—" : (rate * 100).toFixed(1) + "%"; }

  function tile(label, value, note, good) {
    var node = el("div", "tile" + (good === false ? " bad" : good ? " good" : ""));
    node.appendChild(el("div", "tile-label", label));
    node.appendChild(el("div", "tile-value", value));
    if (note) { node.appendChild(el("div", "tile-note", note)); }
    return node;
  }

  function bars(container, entries, maxValue, format) {
    clear(container);
    if (!entries.length) { container.appendChild(el("p", "empty", "暂无数据")); return; }
    var width = 460, rowHeight = 26, labelWidth = 110, height = entries.length * rowHeight + 10;
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img", width: "100%" });
    var top = maxValue || Math.max.apply(null, entries.map(function (e) { return e.value || 0; })) || 1;
    entries.forEach(function (entry, index) {
      var y = index * rowHeight + 5;
      var barWidth = Math.max(0, (entry.value || 0) / top * (width - labelWidth - 60));
      chart.appendChild(svg("text", { x: 0, y: y + 16, class: "axis" }, entry.label));
      chart.appendChild(svg("rect", { x: labelWidth, y: y + 3, width: barWidth, height: 18, rx: 3, class: "bar" }));
      chart.appendChild(svg("text", { x: labelWidth + barWidth + 6, y: y + 16, class: "value" }, format ? format(entry.value) : entry.value));
    });
    container.appendChild(chart);
  }

  // One column per day of the chosen window (1 to 90 days): past a month the values move to the columns'
  // tooltips and only every few days are labelled, so the axis stays legible.
  function columns(container, series, maxValue, format) {
    clear(container);
    var width = 460, height = 180, bottom = 24, left = 8;
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img", width: "100%" });
    var values = series.map(function (p) { return p.value; }).filter(function (v) { return v !== null && v !== undefined; });
    var top = maxValue || Math.max.apply(null, values.concat([1]));
    var step = (width - left) / Math.max(series.length, 1);
    var labelEvery = Math.max(1, Math.ceil(series.length / 12));
    var showValues = series.length <= 16;
    series.forEach(function (point, index) {
      var x = left + index * step;
      if (point.value !== null && point.value !== undefined) {
        var shown = format ? format(point.value) : point.value;
        var h = point.value / top * (height - bottom - 18);
        var bar = svg("rect", { x: x + Math.min(3, step / 5), y: height - bottom - h, width: Math.max(step - Math.min(6, step / 2.5), 1),
          height: h, rx: 2, class: "bar", "data-day": point.day });
        bar.appendChild(svg("title", {}, point.day + "：" + shown));
        chart.appendChild(bar);
        if (showValues) {
          chart.appendChild(svg("text", { x: x + step / 2, y: height - bottom - h - 4, class: "value", "text-anchor": "middle" }, shown));
        }
      }
      if (index % labelEvery === 0) {
        chart.appendChild(svg("text", { x: x + step / 2, y: height - 6, class: "axis", "text-anchor": "middle" }, point.label));
      }
    });
    chart.appendChild(svg("line", { x1: left, x2: width, y1: height - bottom, y2: height - bottom, class: "baseline" }));
    container.appendChild(chart);
  }

  function render(report) {
    var tiles = document.getElementById("tiles");
    clear(tiles);
    var counts = report.counts || {};
    tiles.appendChild(tile("机器人独立解决率", percent(report.containment_rate), (counts.contained || 0) + " / " + (counts.conversations || 0) + " 个会话"));
    tiles.appendChild(tile("转人工率", percent(report.handoff_rate), (counts.handed_off || 0) + " 个会话转人工"));
    tiles.appendChild(tile("投诉 24 小时内响应", percent(report.complaint_response_24h_rate),
      "按时 " + (counts.complaints_answered_in_time || 0) + "，超时 " + (counts.complaints_late || 0),
      report.complaint_response_24h_rate === null ? undefined : report.complaint_response_24h_rate >= 0.95));
    tiles.appendChild(tile("投诉解决率", percent(report.complaint_resolution_rate), "目标 ≥ 95%",
      report.complaint_resolution_rate === null ? undefined : report.complaint_resolution_rate >= 0.95));
    tiles.appendChild(tile("理赔 3 个工作日内赔付", percent(report.claim_payout_3wd_rate),
      "按时 " + (counts.claims_paid_on_time || 0) + "，超时 " + (counts.claims_late || 0)));
    tiles.appendChild(tile("未听懂率（兜底回复）", percent(report.fallback_rate),
      (counts.fallback || 0) + " 个会话有没听懂的消息"));
    var target = report.satisfaction_target;
    tiles.appendChild(tile("满意率（4–5 分）", percent(report.satisfaction_rate),
      "目标 ≥ " + percent(target).replace(".0%", "%") + " · " + (counts.satisfied || 0) + " / " + (counts.ratings || 0) + " 份评价" +
      (report.satisfaction_average === null ? "" : " · 平均 " + report.satisfaction_average.toFixed(2) + " 分"),
      report.satisfaction_rate === null || target === undefined ? undefined : report.satisfaction_rate >= target));
    var messages = report.messages || {};
    tiles.appendChild(tile("没听懂的消息占比", percent(messages.fallback_rate),
      (messages.fell_back || 0) + " / " + (messages.messages || 0) + " 条顾客消息"));
    tiles.appendChild(tile("平均接入等待", report.average_wait_seconds === null ? "—" : Console.duration(report.average_wait_seconds),
      "待回电 " + report.callbacks + " 个"));

    var reasons = Object.keys(report.handoffs_by_reason || {}).map(function (key) {
      return { label: REASONS[key] || key, value: report.handoffs_by_reason[key] };
    }).sort(function (a, b) { return b.value - a.value; });
    bars(document.getElementById("chart-reasons"), reasons);
    function daily(key) {
      return report.daily.map(function (d) { return { day: d.day, label: d.day.slice(5), value: d[key] }; });
    }
    function rate(v) { return Math.round(v * 100) + "%"; }
    columns(document.getElementById("chart-daily"), daily("handoffs"));
    columns(document.getElementById("chart-containment"), daily("containment_rate"), 1, rate);
    columns(document.getElementById("chart-fallback"), daily("fallback_rate"), 1, rate);
    columns(document.getElementById("chart-satisfaction"), daily("satisfaction_average"), 5, function (v) { return v.toFixed(1); });
    var teams = Object.keys(report.handoffs_by_team || {}).map(function (key) {
      return { label: TEAMS[key] || key, value: report.handoffs_by_team[key] };
    });
    bars(document.getElementById("chart-teams"), teams);
    bars(document.getElementById("chart-topics"), (messages.top_unhandled || []).map(function (topic) {
      return { label: topic.topic.length > 8 ? topic.topic.slice(0, 8) + "…" : topic.topic, value: topic.count };
    }));
    document.getElementById("window").textContent = "统计区间：" + Console.time(report.since) + " 至 " + Console.time(report.until) + "，数据来自系统记录。";
  }

  function load() {
    Console.api("GET", "/kpi?days=" + document.getElementById("days").value).then(render).catch(function (error) {
      document.getElementById("window").textContent = error.message;
    });
  }

  document.getElementById("days").addEventListener("change", load);
  Console.setupLogout();
  load();
})();
