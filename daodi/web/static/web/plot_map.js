/* A plot's map without tiles: the plot, the other plots of its village and the village's
   name, drawn by ECharts on a map made from these shapes alone (nothing is fetched). */
(function () {
  var node = document.getElementById("plot-map");
  var source = document.getElementById("plot-map-data");
  if (!node || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var ext = data.extent;
  var features = [{
    type: "Feature", properties: {name: "extent"},
    geometry: {type: "Polygon", coordinates: [[ext[0], [ext[1][0], ext[0][1]], ext[1], [ext[0][0], ext[1][1]], ext[0]]]}
  }];
  var points = [];
  function add(geometry, name, own) {
    if (geometry.type === "Polygon") {
      features.push({type: "Feature", properties: {name: name}, geometry: geometry});
    } else {
      points.push({name: own ? data.plot.name : "", value: geometry.coordinates.slice(0, 2), own: own});
    }
  }
  data.others.forEach(function (g, i) { add(g, "other-" + i, false); });
  add(data.plot.geometry, "plot", true);
  echarts.registerMap("plot", {type: "FeatureCollection", features: features});
  var regions = [{name: "extent", itemStyle: {areaColor: "#f4f6f1", borderColor: "#d6dbd0"}, emphasis: {disabled: true}, silent: true},
                 {name: "plot", itemStyle: {areaColor: "#b23a2e", borderColor: "#7d241c"}, label: {show: true, formatter: data.plot.name}}];
  var chart = echarts.init(node);
  chart.setOption({
    geo: {map: "plot", roam: true, layoutCenter: ["50%", "50%"], layoutSize: "95%",
          itemStyle: {areaColor: "#c9d8bf", borderColor: "#6c8f3a"}, label: {show: false},
          emphasis: {disabled: true}, regions: regions, silent: true},
    series: [
      {type: "scatter", coordinateSystem: "geo", silent: true,
       data: points.filter(function (p) { return !p.own; }), symbolSize: 7, itemStyle: {color: "#6c8f3a"}},
      {type: "scatter", coordinateSystem: "geo", silent: true,
       data: points.filter(function (p) { return p.own; }), symbolSize: 14, itemStyle: {color: "#b23a2e"},
       label: {show: true, position: "right", formatter: "{b}", fontWeight: "bold"}},
      {type: "scatter", coordinateSystem: "geo", silent: true, symbol: "diamond", symbolSize: 10,
       data: [{name: data.village.name, value: data.village.coord}], itemStyle: {color: "#2f5d3a"},
       label: {show: true, position: "top", formatter: "{b}", color: "#2f5d3a"}}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
