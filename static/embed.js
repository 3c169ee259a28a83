// tradetalks embed pages: tell the page around the frame how tall the graphic is, so that the
// snippet's listener can size the frame to fit it (no scrolling inside the frame).
(function () {
  if (window.parent === window) return;
  var id = document.body.getAttribute("data-graphic");
  function send() {
    window.parent.postMessage({ "tradetalks-height": document.documentElement.scrollHeight, id: id }, "*");
  }
  window.addEventListener("load", send);
  window.addEventListener("resize", send);
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.body);
  // A <details> opening (a map's table) changes the height too.
  document.addEventListener("toggle", send, true);
})();
