// tradetalks serve: live reload and the build-error overlay. Added to HTML responses by the
// dev server only; never written to disk.
//
// The script tag carries the number of the build the page came from. The server sends a
// `state` event when the page connects and after every build: {version, error}. A newer
// version means reload; an error means show it over the (last good) page.
(function () {
  "use strict";
  var script = document.currentScript;
  var version = Number(script && script.getAttribute("data-version"));
  var overlay = null;

  function show(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "tradetalks-error-overlay";
      overlay.setAttribute("role", "alertdialog");
      overlay.setAttribute("aria-label", "The last edit broke the build");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:#16181b;color:#f3f4f6;padding:1.5rem;font:14px/1.45 ui-monospace,monospace;" +
        "color-scheme:dark";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("p");
    title.textContent = "The last edit broke the build. This page is the last good build; fix the error and it reloads.";
    title.style.cssText = "font:bold 16px/1.4 system-ui,sans-serif;margin:0 0 1rem;color:#ffb4a9";
    var pre = document.createElement("pre");
    pre.textContent = text;
    // The site's stylesheet styles <pre> (a light code background in light mode): the overlay
    // sets every colour itself, so that it reads the same over any site (16:1 and 9:1).
    pre.style.cssText = "white-space:pre-wrap;margin:0;padding:0;border:0;background:none;" +
      "color:inherit;font:inherit;max-width:none;overflow:visible";
    overlay.appendChild(title);
    overlay.appendChild(pre);
  }

  function hide() {
    if (overlay) overlay.remove();
    overlay = null;
  }

  var initial = document.getElementById("tradetalks-error");
  if (initial) show(JSON.parse(initial.textContent));

  var source = new EventSource("/__tradetalks/events");
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.error) show(state.error);
    else if (state.version !== version) location.reload();
    else hide();
  });
})();
