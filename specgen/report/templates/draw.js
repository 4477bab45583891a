// Draw each plot when it comes near the screen (IntersectionObserver), so a wide report opens at once
// however many plots it holds; their JSON is in the page (works offline). document.body.dataset.plots
// says "visible" once the plots on the first screen are drawn and "done" once every plot is (the
// browser tests wait for both). Printing, or a browser without IntersectionObserver, draws every plot.
(function () {
  var page = JSON.parse(document.getElementById("specgen-plots").textContent);
  var config = page.config, waiting = {}, left = page.plots.length;
  page.plots.forEach(function (plot) { waiting[plot[0]] = plot[1]; });
  function draw(id) {
    var figure = waiting[id];
    if (!figure) { return; }
    delete waiting[id];
    Plotly.newPlot(id, figure.data, figure.layout, config);
    left -= 1;
    if (left === 0) { document.body.dataset.plots = "done"; }
  }
  function drawAll() { Object.keys(waiting).forEach(draw); }
  if (!("IntersectionObserver" in window)) { drawAll(); return; }
  window.addEventListener("beforeprint", drawAll);
  // a screen's height ahead, so a plot is usually drawn before it scrolls in
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { observer.unobserve(entry.target); draw(entry.target.id); }
    });
    if (left > 0) { document.body.dataset.plots = "visible"; }
  }, { rootMargin: "100% 0px" });
  page.plots.forEach(function (plot) { observer.observe(document.getElementById(plot[0])); });
})();
