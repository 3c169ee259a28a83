/* tradetalks: sortable data tables (progressive enhancement, no dependencies).
 *
 * Every <table data-sortable> gets a <button> inside each column header (thead th[scope=col]),
 * so mouse, Enter and Space all sort. Sorting reorders the rows of each tbody in place:
 *   - cells with a numeric data-value sort by that number, other cells by their text
 *     (localeCompare in the page's language, numeric: "9" < "10");
 *   - empty cells, dashes ("—", "–", "-") and .tt-missing cells sort last in either direction;
 *   - ties keep the order the server wrote (a stable sort by original position).
 * The first click on a column sorts ascending, the next one descending, and so on. aria-sort
 * marks the active header only; an aria-sort already in the markup is taken as the current
 * order. Each new order is announced in a visually hidden aria-live region after the table.
 * Without JavaScript the table stays exactly as the server wrote it. Scroll regions
 * (.tt-scroll) are also marked while there is more of a wide table to either side. Headers spanning
 * several columns (colspan) are not supported: the column index is the header's cellIndex.
 * It also puts back the heavy drawings a page sends as files of their own (`img[data-drawing]`,
 * see watchDrawings).
 */
(function () {
  "use strict";
  // The words of the page's language for the announcement (base.html's #tt-messages).
  var messages = {};
  try { messages = JSON.parse(document.getElementById("tt-messages").textContent); } catch (e) { messages = {}; }
  function sortedBy(column, direction) {
    var pattern = messages["sorted-by"] || "Sorted by {column}, {direction}";
    var words = messages["sorted-" + direction] || direction;
    return pattern.replace("{column}", column).replace("{direction}", words);
  }

  var EMPTY = /^[\s\u2014\u2013-]*$/; // blank, or only dashes: "no value"

  // The sort key of one cell: {num} for a numeric data-value, {text}, or null when empty.
  function keyOf(cell) {
    if (!cell || cell.querySelector(".tt-missing")) return null;
    var raw = cell.getAttribute("data-value");
    if (raw !== null && raw.trim() !== "" && isFinite(Number(raw))) return { num: Number(raw) };
    var text = cell.textContent.replace(/\s+/g, " ").trim();
    return EMPTY.test(text) ? null : { text: text };
  }

  // Compares two non-empty keys in ascending order: numbers before text.
  function compareKeys(a, b, collator) {
    if ("num" in a && "num" in b) return a.num - b.num;
    if ("num" in a) return -1;
    if ("num" in b) return 1;
    return collator.compare(a.text, b.text);
  }

  // The header's name for announcements: its text without the unit, e.g. "Rate" for "Rate (%)".
  function columnName(th) {
    var copy = th.cloneNode(true);
    var extras = copy.querySelectorAll(".tt-unit, .tt-sort-icon");
    for (var i = 0; i < extras.length; i++) extras[i].remove();
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function enhance(table) {
    var headers = Array.prototype.slice.call(table.querySelectorAll("thead th[scope=col]"));
    if (!headers.length || !table.tBodies.length) return;
    var lang = (table.closest("[lang]") || document.documentElement).getAttribute("lang");
    // Made at the first sort: a page of many tables should not pay for them all as it loads.
    var collator;
    function collate() {
      if (collator) return collator;
      try {
        collator = new Intl.Collator(lang || undefined, { numeric: true, sensitivity: "base" });
      } catch (e) { // an invalid lang attribute: fall back to the browser's locale
        collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
      }
      return collator;
    }

    // Remember each row's original position so that ties keep the server's order.
    var position = new Map();
    Array.prototype.forEach.call(table.tBodies, function (tbody) {
      Array.prototype.forEach.call(tbody.rows, function (row, i) { position.set(row, i); });
    });

    // The live region sits after the table's scroll wrapper, outside the scrolling area.
    var live = document.createElement("p");
    live.className = "tt-visually-hidden";
    live.setAttribute("aria-live", "polite");
    (table.closest(".tt-scroll") || table).after(live);

    function sortBy(th, direction) {
      var column = th.cellIndex, sign = direction === "descending" ? -1 : 1, collator = collate();
      Array.prototype.forEach.call(table.tBodies, function (tbody) {
        var rows = Array.prototype.map.call(tbody.rows, function (row) {
          return { row: row, key: keyOf(row.cells[column]) };
        });
        rows.sort(function (a, b) {
          var order;
          if (a.key && b.key) order = sign * compareKeys(a.key, b.key, collator);
          else order = (a.key ? 0 : 1) - (b.key ? 0 : 1); // empty cells last
          return order || position.get(a.row) - position.get(b.row);
        });
        // Appending an existing row moves it; one fragment means one reflow.
        var fragment = document.createDocumentFragment();
        rows.forEach(function (r) { fragment.appendChild(r.row); });
        tbody.appendChild(fragment);
      });
      headers.forEach(function (h) { if (h !== th) h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", direction);
      live.textContent = sortedBy(columnName(th), direction);
    }

    headers.forEach(function (th) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tt-sort";
      while (th.firstChild) button.appendChild(th.firstChild); // keeps the unit span, links
      var icon = document.createElement("span");
      icon.className = "tt-sort-icon";
      icon.setAttribute("aria-hidden", "true");
      button.appendChild(icon);
      th.appendChild(button);
      button.addEventListener("click", function () {
        // Toggle on the active column; any other column starts ascending.
        sortBy(th, th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending");
      });
    });
  }

  // A table wider than its scroll region: the figure is marked `tt-more-after` while there is
  // more to the right (the stylesheet fades the region's edge) and `tt-more-before` once it is
  // scrolled (the sticky first column gets a rule). Kept up to date on scroll and resize. All
  // regions are measured first and marked after, so that a page of many tables lays itself
  // out once, not once per table.
  function figureOf(region) {
    return region.closest(".tt-table") || region.parentElement;
  }

  function mark(regions) {
    var states = regions.map(function (region) {
      var scrolled = Math.abs(region.scrollLeft);
      return {
        rtl: getComputedStyle(region).direction === "rtl",
        scrolled: scrolled,
        rest: region.scrollWidth - region.clientWidth - scrolled,
      };
    });
    regions.forEach(function (region, i) {
      var figure = figureOf(region), state = states[i];
      figure.classList.toggle("tt-more-after", state.rest > 1);
      figure.classList.toggle("tt-more-before", state.scrolled > 1);
      figure.classList.toggle("tt-rtl", state.rtl);
    });
  }

  function watchScroll(regions) {
    if (!regions.length) return;
    regions.forEach(function (region) {
      region.addEventListener("scroll", function () { mark([region]); }, { passive: true });
    });
    mark(regions);
    if (typeof ResizeObserver === "function") {
      var observer = new ResizeObserver(function (entries) {
        mark(entries.map(function (entry) { return entry.target; }));
      });
      regions.forEach(function (region) { observer.observe(region); });
    } else {
      window.addEventListener("resize", function () { mark(regions); });
    }
  }

  // A heavy drawing (a world map) comes as a file of its own, shown as an <img data-drawing>
  // of the same class and size. Once the figure is within a screen of the viewport, the
  // drawing itself replaces the picture: its shapes with their titles (tooltips) and, on a
  // map, the countries the keyboard can reach. It fills the same box, so nothing moves. If the
  // file cannot be read, the picture stays.
  function restore(img) {
    fetch(img.getAttribute("src"), { cache: "force-cache" }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    }).then(function (text) {
      var drawing = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
      if (!drawing || drawing.localName !== "svg" || !img.parentNode) return;
      var styles = drawing.querySelectorAll("style");
      for (var i = 0; i < styles.length; i++) styles[i].remove();
      img.replaceWith(document.importNode(drawing, true));
    }).catch(function () {});
  }

  function watchDrawings() {
    var pictures = document.querySelectorAll("img[data-drawing]");
    if (!pictures.length) return;
    if (typeof IntersectionObserver !== "function") {
      for (var i = 0; i < pictures.length; i++) restore(pictures[i]);
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        restore(entry.target);
      });
    }, { rootMargin: "100% 0px" });
    for (var j = 0; j < pictures.length; j++) observer.observe(pictures[j]);
  }

  function init() {
    watchDrawings();
    var tables = document.querySelectorAll("table[data-sortable]");
    for (var i = 0; i < tables.length; i++) enhance(tables[i]);
    watchScroll(Array.prototype.slice.call(document.querySelectorAll(".tt-scroll")));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
