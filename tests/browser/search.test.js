// The search page (templates/search.html, static/search.js, the index under search-index/):
// typing finds the expected page, ?q= in the URL searches on load, nonsense finds nothing, Enter
// does not reload into an empty page, the results pass axe and fit a phone, index failures show a
// message, and without JavaScript the page says search needs it.
//
// Environment (besides lib/harness.js's):
//   TT_SEARCH_QUERY    what to type (default "rice")
//   TT_SEARCH_EXPECT   the end of the href of a page that query must find (default "countries/japan/")
//   TT_SEARCH_ALSO     more [query, expected href end, search page] entries, as JSON (default
//                      none): each is loaded as SEARCH_PAGE?q= (default search/, e.g. ja/search/
//                      for an edition's own search) and must find its page (words in other scripts)
// A site without search/index.html skips these tests with a note.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import axe from "axe-core";
import { BASE_PATH, SITE_DIR, assertNoProblems, openPage, setup } from "./lib/harness.js";

const QUERY = process.env.TT_SEARCH_QUERY || "rice";
const EXPECT = process.env.TT_SEARCH_EXPECT || "countries/japan/";
const ALSO = JSON.parse(process.env.TT_SEARCH_ALSO || "[]");
const NONSENSE = "qzxjv wqkzp";
const SEARCH = `${BASE_PATH}search/`;
const withQuery = (q, searchPage = SEARCH) => `${searchPage}?q=${encodeURIComponent(q)}`;
const hasSearch = fs.existsSync(path.join(SITE_DIR, "search", "index.html"));
const WAIT = { timeout: 10_000 };

let env;
before(async () => { if (hasSearch) env = await setup(); });
after(async () => { await env?.close(); });

/** The harness's problems, less the 404s of term shards: a missing shard is how the index says
 *  "no term starts with these two characters" (Chromium also logs each 404 as a console error). */
const realProblems = (problems) =>
  problems.filter((p) => !(/\b404\b/.test(p) && /\/search-index\/terms-[^/\s]+\.json/.test(p)));

/** What a reader has: the status line (which must sit in a live region), the result links, the
 *  box, where focus is, the URL's q. Runs in the page. */
function readSearch() {
  const results = document.getElementById("search-results");
  const live = results && (results.matches("[aria-live], [role=status]") ? results
    : results.querySelector("[aria-live], [role=status]"));
  const input = document.getElementById("search-q");
  return {
    hasRegion: !!results,
    live: !!live,
    status: live ? live.textContent.replace(/\s+/g, " ").trim() : "",
    links: results ? [...results.querySelectorAll("li a[href]")].map((a) => ({
      href: a.getAttribute("href"), text: a.textContent.replace(/\s+/g, " ").trim(),
    })) : [],
    value: input ? input.value : null,
    focused: document.activeElement === input,
    q: new URLSearchParams(location.search).get("q"),
    lang: document.documentElement.lang,
    // The page's words for the script's messages (base.html's #tt-messages).
    messages: (() => { try { return JSON.parse(document.getElementById("tt-messages").textContent); } catch { return {}; } })(),
    marker: window.__ttSearchMarker === true,
  };
}

/** Waits until the status line mentions QUERY and (unless NONE) a result links to EXPECT. */
async function waitForResults(page, query, { none = false, expect = EXPECT } = {}) {
  try {
    await page.waitForFunction((q, expect, none) => {
      const live = document.querySelector("#search-results[aria-live], #search-results [aria-live], #search-results [role=status]");
      if (!live || !live.textContent.includes(q)) return false;
      const hrefs = [...document.querySelectorAll("#search-results li a[href]")].map((a) => a.getAttribute("href"));
      if (!none) return hrefs.some((h) => h.endsWith(expect));
      // "No results for “q”." in the page's language.
      let words = {};
      try { words = JSON.parse(document.getElementById("tt-messages").textContent); } catch { words = {}; }
      const noneText = words["search-none"] && words["search-none"].replace("{query}", `“${q}”`);
      return noneText ? live.textContent.includes(noneText) : /no results/i.test(live.textContent);
    }, WAIT, query, expect, none);
  } catch (err) {
    const s = await page.evaluate(readSearch);
    assert.fail(`searching for "${query}": ${none ? 'no "No results" status' : `no result links to …${expect}`} ` +
      `within ${WAIT.timeout} ms (${err.message}). Status: ${JSON.stringify(s.status)}; links: ` +
      `${JSON.stringify(s.links.map((l) => l.href))}`);
  }
  return page.evaluate(readSearch);
}

function checkResults(s, query) {
  const english = !s.lang || s.lang === "en" || s.lang.startsWith("en-");
  assert.ok(s.hasRegion, "no #search-results");
  assert.ok(s.live, "#search-results has no aria-live / role=status status line");
  // A count and the query, in the edition's words (English: "3 results for “rice”.").
  assert.match(s.status, english ? /\d+ results? for/ : /\d/, `the status line does not count the results: ${JSON.stringify(s.status)}`);
  assert.ok(s.status.includes(query), `the status line does not name the query: ${JSON.stringify(s.status)}`);
  for (const l of s.links) {
    assert.ok(l.text, `a result linking to ${l.href} has no text`);
    assert.ok(l.href.startsWith(BASE_PATH), `result ${l.href} is not under the base path ${BASE_PATH}`);
  }
}

describe("search", () => {
  if (!hasSearch) {
    test("the site has a search page", (t) => t.skip(`no search/index.html in ${SITE_DIR}: nothing to test`));
    return;
  }

  test(`typing "${QUERY}" finds …${EXPECT} (also from its start), focus stays in the box, the URL has ?q=`, async () => {
    const { page, problems } = await openPage(env, SEARCH);
    try {
      await page.focus("#search-q");
      const words = QUERY.split(" ");
      const lastWord = words[words.length - 1];
      // The last word matches as the start of a word: the query less its last letter finds the page too.
      if ([...lastWord].length >= 3) {
        const start = QUERY.slice(0, -1);
        await page.keyboard.type(start, { delay: 40 });
        checkResults(await waitForResults(page, start), start);
        await page.keyboard.type(QUERY.slice(-1));
      } else {
        await page.keyboard.type(QUERY, { delay: 40 });
      }
      const s = await waitForResults(page, QUERY);
      checkResults(s, QUERY);
      assert.ok(s.focused, "focus left the search box while typing");
      assert.equal(s.value, QUERY);
      assert.equal(s.q, QUERY, "the URL's ?q= does not hold the query (history.replaceState)");
      assertNoProblems(assert, realProblems(problems), `${SEARCH} had problems`);
    } finally {
      await page.close();
    }
  });

  test(`loading search/?q=${QUERY} shows the results and fills the box`, async () => {
    const { page, problems } = await openPage(env, withQuery(QUERY));
    try {
      const s = await waitForResults(page, QUERY);
      checkResults(s, QUERY);
      assert.equal(s.value, QUERY, "the search box does not show the URL's query");
      assertNoProblems(assert, realProblems(problems), `${withQuery(QUERY)} had problems`);
    } finally {
      await page.close();
    }
  });

  for (const [query, expect, searchPath] of ALSO) {
    const searchPage = searchPath ? `${BASE_PATH}${searchPath}` : SEARCH;
    test(`loading ${searchPath || "search/"}?q=${query} finds …${expect}`, async () => {
      const { page, problems } = await openPage(env, withQuery(query, searchPage));
      try {
        checkResults(await waitForResults(page, query, { expect }), query);
        assertNoProblems(assert, realProblems(problems), `${withQuery(query, searchPage)} had problems`);
      } finally {
        await page.close();
      }
    });
  }

  test(`a nonsense query ("${NONSENSE}") says "No results"`, async () => {
    const { page, problems } = await openPage(env, SEARCH);
    try {
      await page.type("#search-q", NONSENSE, { delay: 20 });
      const s = await waitForResults(page, NONSENSE, { none: true });
      assert.deepEqual(s.links, [], "a nonsense query listed results");
      assertNoProblems(assert, realProblems(problems), `${SEARCH} had problems`);
    } finally {
      await page.close();
    }
  });

  test("Enter in the box shows the results without reloading into an empty page", async () => {
    const { page, problems } = await openPage(env, SEARCH);
    try {
      await page.evaluate(() => { window.__ttSearchMarker = true; });
      await page.focus("#search-q");
      await page.keyboard.type(QUERY); // no delay: Enter comes before the typing pause ends
      await page.keyboard.press("Enter");
      await new Promise((r) => setTimeout(r, 300)); // a reload, if there is one, has started
      await page.waitForFunction(() => document.readyState === "complete", WAIT);
      const s = await waitForResults(page, QUERY);
      assert.equal(s.value, QUERY, "after Enter the search box lost the query");
      assert.ok(s.marker, "Enter reloaded the page (the form was submitted instead of searching in place)");
      assert.ok(s.focused, "after Enter focus left the search box");
      assert.equal(s.q, QUERY, "after Enter the URL's ?q= does not hold the query");
      checkResults(s, QUERY);
      assertNoProblems(assert, realProblems(problems), `${SEARCH} had problems`);
    } finally {
      await page.close();
    }
  });

  for (const scheme of ["light", "dark"]) {
    test(`results pass axe's WCAG 2.2 A/AA rules and fit 375px (${scheme} mode)`, async () => {
      const { page, problems } = await openPage(env, withQuery(QUERY), {
        colorScheme: scheme, viewport: { width: 375, height: 812 },
      });
      try {
        await waitForResults(page, QUERY);
        const width = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
        assert.ok(width[0] <= width[1], `with results the page is ${width[0]}px wide in a ${width[1]}px viewport`);
        await page.evaluate(axe.source);
        const r = await page.evaluate(() => window.axe.run(document, {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
          resultTypes: ["violations"],
        }));
        const found = r.violations.map((v) => `${v.id} (${v.help}): ${v.nodes.slice(0, 3).map((n) =>
          `${n.target.join(" ")} ${n.any.map((c) => c.message).join("; ")}`).join(" | ")}`);
        assert.deepEqual(found, [], `${withQuery(QUERY)} (${scheme} mode) with results: axe violations`);
        assertNoProblems(assert, realProblems(problems), `${withQuery(QUERY)} had problems`);
      } finally {
        await page.close();
      }
    });
  }

  for (const failure of ["HTTP 500", "a network error"]) {
    test(`an index that fails to load (${failure}) shows a message and throws nothing`, async () => {
      const { page, problems } = await openPage(env, SEARCH);
      try {
        // Every request for the index fails, from the next load on.
        await page.evaluateOnNewDocument((mode) => {
          const realFetch = window.fetch;
          window.fetch = (input, init) => {
            const url = String(input && input.url ? input.url : input);
            if (!url.includes("/search-index/")) return realFetch(input, init);
            return mode === "HTTP 500" ? Promise.resolve(new Response("broken", { status: 500 }))
              : Promise.reject(new TypeError("Failed to fetch"));
          };
        }, failure);
        await page.reload({ waitUntil: "load" });
        await page.type("#search-q", QUERY);
        await page.keyboard.press("Enter");
        await page.waitForFunction(() => {
          const live = document.querySelector("#search-results[aria-live], #search-results [aria-live], #search-results [role=status]");
          return live && live.textContent.trim() !== "";
        }, WAIT);
        const s = await page.evaluate(readSearch);
        assert.doesNotMatch(s.status, /results? for/, `the status line claims results: ${JSON.stringify(s.status)}`);
        if (s.messages["search-unavailable"]) assert.equal(s.status, s.messages["search-unavailable"], "no error message in the page's words");
        else assert.match(s.status, /not available|could not|error|fail/i, `no error message: ${JSON.stringify(s.status)}`);
        assert.deepEqual(s.links, []);
        assertNoProblems(assert, realProblems(problems), `${SEARCH} had problems`);
      } finally {
        await page.close();
      }
    });
  }

  test("without JavaScript the page says search needs it, and the form submits to itself", async () => {
    const { page, problems } = await openPage(env, SEARCH, { javaScript: false });
    try {
      const says = () => page.evaluate(() => /JavaScript/.test(document.querySelector("main").innerText));
      assert.ok(await says(), "with JavaScript off the page does not say that search needs it");
      await page.type("#search-q", QUERY);
      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
      const url = new URL(page.url());
      assert.equal(url.pathname, SEARCH, "with JavaScript off the form submits somewhere else");
      assert.equal(url.searchParams.get("q"), QUERY);
      assert.ok(await says(), "after submitting, the page does not say that search needs JavaScript");
      assertNoProblems(assert, problems, `${SEARCH} (JavaScript off) had problems`);
    } finally {
      await page.close();
    }
  });
});
