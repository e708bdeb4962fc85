// Charts of the site summary. The figures come from the page (json_script), not from a request.
document.addEventListener("DOMContentLoaded", function () {
  var node = document.getElementById("summary-data");
  if (!node || !window.echarts) { return; }
  var data = JSON.parse(node.textContent);
  function bar(el, labels, values) {
    echarts.init(el).setOption({
      grid: { left: 40, right: 10, top: 20, bottom: 40 },
      tooltip: {},
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: values, label: { show: true, position: "top" } }]
    });
  }
  document.querySelectorAll(".chart").forEach(function (el) {
    var kind = el.getAttribute("data-chart");
    if (kind === "category") {
      var cats = Object.values(data.by_category);
      echarts.init(el).setOption({
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: "65%", label: { formatter: "{b}\n{c} 人" },
          data: cats.map(function (c) { return { name: c.label, value: c.persons }; }) }]
      });
    } else if (kind === "age") {
      var scheme = data.age_schemes[Number(el.getAttribute("data-index"))];
      bar(el, scheme.labels, scheme.counts);
    } else {
      var pool = data[kind][kind === "education_all" ? "five" : "three"];
      bar(el, Object.keys(pool), Object.values(pool));
    }
  });
});
