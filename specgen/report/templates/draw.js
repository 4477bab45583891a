// Draw every plot of the page from the JSON above, a few at a time so a wide report stays responsive;
// document.body.dataset.plots says "done" at the end (the browser tests wait for it).
(function () {
  var page = JSON.parse(document.getElementById("specgen-plots").textContent);
  var plots = page.plots, config = page.config;
  var next = 0;
  function draw() {
    var stop = Math.min(next + 12, plots.length);
    for (; next < stop; next++) {
      Plotly.newPlot(plots[next][0], plots[next][1].data, plots[next][1].layout, config);
    }
    if (next < plots.length) { setTimeout(draw, 0); } else { document.body.dataset.plots = "done"; }
  }
  draw();
})();
