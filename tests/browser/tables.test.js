// Sortable tables (static/tables.js) against the HTML contract of docs/shortcodes.md:
// table[data-sortable] > thead th[scope=col] get buttons; a click or Enter sorts the rows by
// data-value (numbers) or by text, empty cells ("", dashes, .tt-missing) last, ties in the
// server's order; aria-sort follows; an aria-live region announces the order; without
// JavaScript nothing changes.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertNoProblems, openPage, setup, sitePages } from "./lib/harness.js";

const pages = sitePages().filter((p) => !p.redirect);
const sortablePages = pages.filter((p) => p.sortable);
let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

/** What a reader gets from each sortable table: caption, headers, rows. Rows carry their
 *  cells' text and data-value; sort keys follow the contract. Runs in the page. */
function readTables() {
  const EMPTY = /^[\s\u2014\u2013-]*$/;
  const norm = (s) => s.replace(/\s+/g, " ").trim();
  return [...document.querySelectorAll("table[data-sortable]")].map((table) => {
    const lang = (table.closest("[lang]") || document.documentElement).getAttribute("lang") || undefined;
    const headers = [...table.querySelectorAll("thead th[scope=col]")].map((th) => ({
      text: norm(th.textContent),
      column: th.cellIndex,
      ariaSort: th.getAttribute("aria-sort"),
      buttons: th.querySelectorAll("button").length,
    }));
    const rows = [...table.tBodies].flatMap((tb) => [...tb.rows]).map((tr) =>
      [...tr.cells].map((c) => ({ text: norm(c.textContent), value: c.getAttribute("data-value"), missing: !!c.querySelector(".tt-missing") })));
    // Expected orders computed here, so that text compares with the page's own collation.
    const collator = new Intl.Collator(lang, { numeric: true, sensitivity: "base" });
    const key = (cell) => {
      if (!cell || cell.missing) return null;
      if (cell.value !== null && cell.value.trim() !== "" && Number.isFinite(Number(cell.value))) return { num: Number(cell.value) };
      return EMPTY.test(cell.text) ? null : { text: cell.text };
    };
    const cmp = (a, b) => ("num" in a && "num" in b ? a.num - b.num : "num" in a ? -1 : "num" in b ? 1 : collator.compare(a.text, b.text));
    const ids = rows.map((r) => JSON.stringify(r)); // a row's identity: its cells
    const expected = {};
    for (const h of headers) {
      for (const dir of ["ascending", "descending"]) {
        const sign = dir === "ascending" ? 1 : -1;
        const order = rows.map((r, i) => ({ i, k: key(r[h.column]) })).sort((a, b) => {
          if (a.k && b.k) return sign * cmp(a.k, b.k) || a.i - b.i;
          return (a.k ? 0 : 1) - (b.k ? 0 : 1) || a.i - b.i;
        });
        expected[`${h.column}:${dir}`] = order.map((o) => ids[o.i]);
      }
    }
    const numeric = headers.map((h) => {
      const cells = rows.map((r) => r[h.column]).filter((c) => key(c) !== null);
      return cells.length > 0 && cells.every((c) => key(c) && "num" in key(c));
    });
    const scope = table.closest("figure") || table.parentElement;
    const live = scope ? [...scope.querySelectorAll("[aria-live]")].map((l) => norm(l.textContent)) : [];
    // The page's own words for the orders (base.html's #tt-messages), English without them.
    let words = {};
    try { words = JSON.parse(document.getElementById("tt-messages").textContent); } catch { words = {}; }
    const order = { ascending: words["sorted-ascending"] || "ascending", descending: words["sorted-descending"] || "descending" };
    return { caption: table.caption ? norm(table.caption.textContent) : null, headers, rows: ids, expected, numeric, live, order };
  });
}

function headerButton(page, tableIndex, headerIndex) {
  return page.evaluateHandle(
    (ti, hi) => document.querySelectorAll("table[data-sortable]")[ti]
      .querySelectorAll("thead th[scope=col]")[hi].querySelector("button"),
    tableIndex, headerIndex,
  );
}

function checkSorted(state, before, ti, hi, dir, how) {
  const t = state[ti];
  const h = t.headers[hi];
  const label = `table ${ti + 1} ("${t.caption}"), column "${h.text}", ${how}`;
  assert.equal(h.ariaSort, dir, `${label}: aria-sort should be ${dir}`);
  const others = t.headers.filter((o, i) => i !== hi && o.ariaSort !== null).map((o) => o.text);
  assert.deepEqual(others, [], `${label}: other headers still carry aria-sort`);
  assert.deepEqual(t.rows, before.expected[`${h.column}:${dir}`],
    `${label}: rows not in ${dir} order (empty cells last, ties in the server's order)`);
  const word = t.order[dir];
  assert.ok(t.live.some((text) => text.includes(word) && text.includes(h.text.replace(/\s*\(.*\)$/, ""))),
    `${label}: no aria-live region announces "${word}" with the column (found ${JSON.stringify(t.live)})`);
}

describe("sortable tables", () => {
  test("the site has pages to check", (t) => {
    if (sortablePages.length === 0) t.skip("no page has table[data-sortable]");
  });

  // A table in a closed <details> (a map's figures) is sorted once a reader opens it.
  const openDisclosures = (page) =>
    page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = true; }));

  for (const p of sortablePages) {
    test(`${p.path}: headers sort by click, ascending then descending`, async () => {
      const { page, problems } = await openPage(env, p.path);
      try {
        await openDisclosures(page);
        const initial = await page.evaluate(readTables);
        assert.ok(initial.length > 0, "no sortable table found in the page");
        for (const [ti, table] of initial.entries()) {
          assert.ok(table.headers.length > 0, `table ${ti + 1} has no thead th[scope=col]`);
          for (const h of table.headers) {
            assert.equal(h.buttons, 1, `table ${ti + 1}, column "${h.text}": expected one <button> in the header`);
          }
          for (const [hi, h] of table.headers.entries()) {
            // The first click toggles an initial aria-sort="ascending"; otherwise it sorts ascending.
            const state = (await page.evaluate(readTables))[ti].headers[hi].ariaSort;
            const first = state === "ascending" ? "descending" : "ascending";
            const second = first === "ascending" ? "descending" : "ascending";
            const button = await headerButton(page, ti, hi);
            await button.click();
            checkSorted(await page.evaluate(readTables), table, ti, hi, first, "first click");
            await button.click();
            checkSorted(await page.evaluate(readTables), table, ti, hi, second, "second click");
            await button.dispose();
          }
        }
        assertNoProblems(assert, problems, `${p.path} had problems`);
      } finally {
        await page.close();
      }
    });

    test(`${p.path}: numeric headers sort from the keyboard (Enter, then Space)`, async () => {
      const { page, problems } = await openPage(env, p.path);
      try {
        await openDisclosures(page);
        const initial = await page.evaluate(readTables);
        let checked = 0;
        for (const [ti, table] of initial.entries()) {
          for (const [hi, h] of table.headers.entries()) {
            if (!table.numeric[hi]) continue;
            // A fresh page each time, so that the initial state is the server's.
            await page.reload({ waitUntil: "load" });
            await openDisclosures(page);
            const fresh = (await page.evaluate(readTables))[ti];
            const first = fresh.headers[hi].ariaSort === "ascending" ? "descending" : "ascending";
            const second = first === "ascending" ? "descending" : "ascending";
            const button = await headerButton(page, ti, hi);
            await button.focus();
            assert.ok(await page.evaluate((b) => document.activeElement === b, button), `the "${h.text}" button takes focus`);
            await page.keyboard.press("Enter");
            checkSorted(await page.evaluate(readTables), fresh, ti, hi, first, "Enter");
            await page.keyboard.press("Space");
            checkSorted(await page.evaluate(readTables), fresh, ti, hi, second, "Space");
            await button.dispose();
            checked++;
          }
        }
        if (checked === 0) console.log(`# ${p.path}: no numeric column (every non-empty cell with a data-value)`);
        assertNoProblems(assert, problems, `${p.path} had problems`);
      } finally {
        await page.close();
      }
    });

    test(`${p.path}: without JavaScript the tables hold the server's rows and cells`, async () => {
      const noJs = await openPage(env, p.path, { javaScript: false });
      const withJs = await openPage(env, p.path);
      try {
        // The server's HTML, parsed without running anything.
        const raw = p.html;
        const server = await noJs.page.evaluate((html) => {
          const doc = new DOMParser().parseFromString(html, "text/html");
          const norm = (s) => s.replace(/\s+/g, " ").trim();
          return [...doc.querySelectorAll("table[data-sortable]")].map((t) => ({
            caption: t.caption ? norm(t.caption.textContent) : null,
            headers: [...t.querySelectorAll("thead th[scope=col]")].map((th) => norm(th.textContent)),
            rows: [...t.tBodies].flatMap((tb) => [...tb.rows]).map((tr) => [...tr.cells].map((c) => norm(c.textContent))),
          }));
        }, raw);
        const shown = (page) => page.evaluate(() => {
          const norm = (s) => s.replace(/\s+/g, " ").trim();
          return [...document.querySelectorAll("table[data-sortable]")].map((t) => ({
            caption: t.caption ? norm(t.caption.textContent) : null,
            headers: [...t.querySelectorAll("thead th[scope=col]")].map((th) => norm(th.textContent)),
            rows: [...t.tBodies].flatMap((tb) => [...tb.rows]).map((tr) => [...tr.cells].map((c) => norm(c.textContent))),
            buttons: t.querySelectorAll("button").length,
          }));
        });
        const off = await shown(noJs.page);
        const on = await shown(withJs.page);
        assert.ok(server.length > 0, "no sortable table in the server's HTML");
        assert.ok(server.every((t) => t.rows.length > 0), "a sortable table has no rows in the server's HTML");
        assert.deepEqual(off.map(({ buttons, ...t }) => t), server, "with JavaScript off the tables differ from the server's HTML");
        assert.ok(off.every((t) => t.buttons === 0), "with JavaScript off there are buttons that would do nothing");
        // Enhancement adds buttons but changes no text and no order until a reader asks.
        assert.deepEqual(on.map(({ buttons, ...t }) => t), server, "with JavaScript on (before any click) the tables differ from the server's HTML");
        assertNoProblems(assert, noJs.problems, `${p.path} (JavaScript off) had problems`);
        assertNoProblems(assert, withJs.problems, `${p.path} had problems`);
      } finally {
        await noJs.page.close();
        await withJs.page.close();
      }
    });
  }

  test("tables without data-sortable are left alone", async (t) => {
    const list = pages.filter((p) => /<table(?![^>]*\sdata-sortable[\s>=])/i.test(p.html));
    if (list.length === 0) return t.skip("no page has a table without data-sortable");
    for (const p of list) {
      await t.test(p.path, async () => {
        const { page, problems } = await openPage(env, p.path);
        try {
          const r = await page.evaluate(() => [...document.querySelectorAll("table:not([data-sortable])")].map((tb) => ({
            caption: tb.caption ? tb.caption.textContent.trim() : tb.className,
            buttons: tb.querySelectorAll("thead button").length,
          })));
          for (const tb of r) {
            assert.equal(tb.buttons, 0, `table "${tb.caption}" got sort buttons without data-sortable`);
          }
          assertNoProblems(assert, problems, `${p.path} had problems`);
        } finally {
          await page.close();
        }
      });
    }
  });
});
