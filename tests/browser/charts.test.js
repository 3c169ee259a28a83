// Colours of the shortcodes' output in both colour schemes (WCAG 2.1):
//   - text of tables, sources, timelines, notes, legends and chart labels: >= 4.5:1 (1.4.3);
//   - chart bars and dots, range lines, sparklines, legend swatches (or their outline) and map
//     outlines against the page: >= 3:1 (1.4.11); a value inside a stacked bar's segment against
//     the segment: >= 4.5:1;
//   - highlighted rows and bars stand out by more than colour (1.4.1): bold text or an outline.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eachPage, installHelpers, openPage, restoreDrawings, setup, sitePages } from "./lib/harness.js";

const pages = sitePages().filter((p) => !p.redirect && /class="[^"]*\btt-/.test(p.html));
let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

// Elements whose text must be readable; the shortcodes' classes plus the tables' cells.
const TEXT = [
  ".tt-data caption", ".tt-data th", ".tt-data td", ".tt-unit", ".tt-sources", ".tt-sources a",
  ".tt-chart figcaption", ".tt-legend li", ".tt-timeline-figure figcaption", ".tt-event time",
  ".tt-status", ".tt-event-title", ".tt-event-text", ".tt-note", ".tt-note a", ".tt-source",
  ".tt-figure figcaption", ".tt-credit",
].join(", ");

function measure() {
  const tt = window.__tt;
  const fails = { text: [], graphics: [], highlight: [] };
  const counts = { text: 0, graphics: 0, highlight: 0 };
  const check = (el, fg, min, kind, pseudo = "") => {
    const r = tt.ratio(el, fg);
    counts[kind]++;
    if (r.ratio < min) fails[kind].push(`${tt.describe(el)}${pseudo}: ${r.fg} on ${r.bg} = ${r.ratio.toFixed(2)}:1 (< ${min})`);
  };
  for (const el of document.querySelectorAll(TEXT_SELECTOR)) {
    if (tt.hidden(el) || !el.textContent.trim()) continue;
    check(el, getComputedStyle(el).color, 4.5, "text");
  }
  // Notes may label themselves with generated content.
  for (const el of document.querySelectorAll(".tt-note")) {
    const before = getComputedStyle(el, "::before");
    if (before.content && before.content !== "none" && before.content !== "normal") check(el, before.color, 4.5, "text", "::before");
  }
  for (const svg of document.querySelectorAll(".tt-chart svg")) {
    // A map label's halo (drawn under it in the page's colour) is not text to read.
    for (const text of svg.querySelectorAll("text:not(.tt-map-halo)")) {
      if (!text.textContent.trim()) continue;
      if (text.classList.contains("tt-inside")) {
        // A value inside a stacked bar's segment is read against the segment drawn under it.
        const segment = text.previousElementSibling;
        const fg = getComputedStyle(text).fill, bg = getComputedStyle(segment).fill;
        const r = tt.contrast(tt.parse(fg), tt.parse(bg));
        counts.text++;
        if (r < 4.5) fails.text.push(`${tt.describe(text)}: ${fg} on ${bg} = ${r.toFixed(2)}:1 (< 4.5)`);
        continue;
      }
      check(svg, getComputedStyle(text).fill, 4.5, "text");
    }
    for (const bar of svg.querySelectorAll(".tt-bar, .tt-dot")) check(svg, getComputedStyle(bar).fill, 3, "graphics");
    for (const line of svg.querySelectorAll(".tt-range")) check(svg, getComputedStyle(line).stroke, 3, "graphics");
    for (const row of svg.querySelectorAll(".tt-row.tt-highlight")) {
      counts.highlight++;
      const bar = row.querySelector(".tt-bar, .tt-dot");
      const label = row.querySelector(".tt-label");
      const outlined = bar && getComputedStyle(bar).stroke !== "none" && parseFloat(getComputedStyle(bar).strokeWidth) > 0;
      const bold = label && parseInt(getComputedStyle(label).fontWeight, 10) >= 600;
      if (!outlined && !bold) fails.highlight.push(`${tt.describe(row)}: neither an outlined bar nor a bold label`);
    }
  }
  for (const sw of document.querySelectorAll(".tt-swatch")) {
    if (tt.hidden(sw)) continue;
    // A swatch outlined in a colour that stands out is seen whatever its fill (a map's
    // lightest shade): its outline is what must reach 3:1.
    const cs = getComputedStyle(sw);
    const outlined = cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 1;
    check(sw.parentElement, outlined ? cs.outlineColor : cs.backgroundColor, 3, "graphics");
  }
  // A sparkline in a table cell: its line against the cell.
  for (const line of document.querySelectorAll(".tt-spark-line")) {
    if (tt.hidden(line)) continue;
    check(line.closest("td"), getComputedStyle(line).stroke, 3, "graphics");
  }
  // Map countries are outlined in a colour that stands out from the page, so that the lightest
  // shades still show where a country ends.
  for (const shape of document.querySelectorAll(".tt-map-shape")) {
    if (tt.hidden(shape)) continue;
    check(shape.closest("svg"), getComputedStyle(shape).stroke, 3, "graphics");
  }
  for (const tr of document.querySelectorAll(".tt-data tr.tt-highlight")) {
    if (tt.hidden(tr)) continue;
    counts.highlight++;
    const plain = [...tr.cells].filter((c) => parseInt(getComputedStyle(c).fontWeight, 10) < 600);
    if (plain.length) fails.highlight.push(`${tt.describe(tr)}: ${plain.length} cell(s) not bold`);
  }
  return { fails, counts };
}

describe("shortcode colours", () => {
  for (const scheme of ["light", "dark"]) {
    test(`text >= 4.5:1, bars >= 3:1, highlights not by colour alone (${scheme} mode)`, async (t) => {
      await eachPage(t, pages, async (p) => {
        const { page } = await openPage(env, p.path, { colorScheme: scheme });
        try {
          // A world map's outlines are in the page once its drawing is back (see maps.test.js).
          await restoreDrawings(page);
          await installHelpers(page);
          const src = `(${measure.toString().replace("TEXT_SELECTOR", JSON.stringify(TEXT))})()`;
          const { fails, counts } = await page.evaluate(src);
          assert.deepEqual(fails.text, [], `${p.path}: text below 4.5:1`);
          assert.deepEqual(fails.graphics, [], `${p.path}: chart graphics below 3:1`);
          assert.deepEqual(fails.highlight, [], `${p.path}: highlights shown by colour alone`);
          assert.ok(counts.text > 0, `${p.path}: no shortcode text found to check`);
        } finally {
          await page.close();
        }
      });
    });
  }
});

// Chart text as a reader sees it, at a phone's width and a desktop's: no two texts of a chart
// overlap, none is cut off by the drawing's edge, and none is drawn smaller than 11px.
function chartText() {
  const problems = [];
  let charts = 0;
  for (const svg of document.querySelectorAll(".tt-chart svg")) {
    const box = svg.getBoundingClientRect();
    if (getComputedStyle(svg).display === "none" || box.width === 0) continue;
    charts++;
    const name = `${svg.closest(".tt-chart").id} (${svg.getAttribute("class")})`;
    const view = svg.viewBox.baseVal;
    const scale = view && view.width ? box.width / view.width : 1;
    const texts = [...svg.querySelectorAll("text:not(.tt-map-halo)")].filter((t) => t.textContent.trim());
    const rects = texts.map((t) => t.getBoundingClientRect());
    texts.forEach((t, i) => {
      const size = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (size < 11) problems.push(`${name}: "${t.textContent}" is drawn at ${size.toFixed(1)}px`);
      const r = rects[i];
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
        problems.push(`${name}: "${t.textContent}" is cut off by the chart's edge`);
      }
      for (let j = i + 1; j < texts.length; j++) {
        const s = rects[j];
        const w = Math.min(r.right, s.right) - Math.max(r.left, s.left);
        const h = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
        if (w > 0.5 && h > 0.5) problems.push(`${name}: "${t.textContent}" overlaps "${texts[j].textContent}"`);
      }
    });
  }
  return { problems, charts };
}

// A table wider than its scroll region: scrolled to the end, its first column stays in view,
// and before that the region shows that there is more to the right.
async function wideTables(page) {
  return page.evaluate(() => {
    const results = [];
    for (const region of document.querySelectorAll(".tt-scroll")) {
      if (region.scrollWidth <= region.clientWidth + 1) continue;
      const figure = region.closest(".tt-table");
      const hinted = figure && figure.classList.contains("tt-more-after");
      region.scrollLeft = region.scrollWidth;
      const first = region.querySelector("tbody tr > :first-child");
      const r = first.getBoundingClientRect();
      const b = region.getBoundingClientRect();
      results.push({ id: figure?.id, hinted, inView: r.left >= b.left - 1 && r.right <= b.right + 1 });
    }
    return results;
  });
}

describe("chart and table layout", () => {
  for (const width of [375, 1280]) {
    test(`chart text neither overlaps, nor is cut off, nor is under 11px (${width}px)`, async (t) => {
      let seen = 0;
      await eachPage(t, pages, async (p) => {
        const { page } = await openPage(env, p.path, { viewport: { width, height: 900 } });
        try {
          const { problems, charts } = await page.evaluate(chartText);
          seen += charts;
          assert.deepEqual(problems, [], `${p.path} at ${width}px`);
        } finally {
          await page.close();
        }
      });
      const expected = pages.filter((p) => p.html.includes('class="tt-chart"')).length;
      assert.ok(expected === 0 || seen > 0, "no chart was visible to check");
    });

    test(`a wide table keeps its first column in view and hints at more (${width}px)`, async (t) => {
      await eachPage(t, pages, async (p) => {
        const { page } = await openPage(env, p.path, { viewport: { width, height: 900 } });
        try {
          for (const table of await wideTables(page)) {
            assert.ok(table.hinted, `${p.path} #${table.id}: no sign that the table scrolls`);
            assert.ok(table.inView, `${p.path} #${table.id}: the first column scrolled out of view`);
          }
        } finally {
          await page.close();
        }
      });
    });
  }
});
