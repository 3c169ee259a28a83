// Colours of the shortcodes' output in both colour schemes (WCAG 2.1):
//   - text of tables, sources, timelines, notes, legends and chart labels: >= 4.5:1 (1.4.3);
//   - chart bars and legend swatches against the page: >= 3:1 (1.4.11);
//   - highlighted rows and bars stand out by more than colour (1.4.1): bold text or an outline.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eachPage, installHelpers, openPage, setup, sitePages } from "./lib/harness.js";

const pages = sitePages().filter((p) => !p.redirect && /class="[^"]*\btt-/.test(p.html));
let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

// Elements whose text must be readable; the shortcodes' classes plus the tables' cells.
const TEXT = [
  ".tt-data caption", ".tt-data th", ".tt-data td", ".tt-unit", ".tt-sources", ".tt-sources a",
  ".tt-chart figcaption", ".tt-legend li", ".tt-timeline-figure figcaption", ".tt-event time",
  ".tt-status", ".tt-event-title", ".tt-event-text", ".tt-note", ".tt-note a", ".tt-source",
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
    for (const text of svg.querySelectorAll("text")) {
      if (text.textContent.trim()) check(svg, getComputedStyle(text).fill, 4.5, "text");
    }
    for (const bar of svg.querySelectorAll(".tt-bar")) check(svg, getComputedStyle(bar).fill, 3, "graphics");
    for (const row of svg.querySelectorAll(".tt-row.tt-highlight")) {
      counts.highlight++;
      const bar = row.querySelector(".tt-bar");
      const label = row.querySelector(".tt-label");
      const outlined = bar && getComputedStyle(bar).stroke !== "none" && parseFloat(getComputedStyle(bar).strokeWidth) > 0;
      const bold = label && parseInt(getComputedStyle(label).fontWeight, 10) >= 600;
      if (!outlined && !bold) fails.highlight.push(`${tt.describe(row)}: neither an outlined bar nor a bold label`);
    }
  }
  for (const sw of document.querySelectorAll(".tt-swatch")) {
    if (!tt.hidden(sw)) check(sw.parentElement, getComputedStyle(sw).backgroundColor, 3, "graphics");
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
