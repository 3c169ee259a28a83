// Live reload of `tradetalks serve`, in headless Chromium, against a server started beforehand:
//   a. open a page (TT_PAGE) and mark its window (window.__ttMarker);
//   b. change the `title:` line of its Markdown: the page reloads by itself (the marker is gone)
//      and its <h1> shows the new title;
//   c. break the front matter (`title: [unclosed`): the error overlay appears and names the
//      file, the page under it is still the last good build (no reload, the new title); a page
//      opened while the build is broken has the overlay from the start;
//   d. fix the title: the overlay goes and both pages reload, showing it;
//   e. the original file is written back (always, even after a failure) and the page reloads
//      with the original <h1>.
// Each wait is bounded (TT_LIVE_TIMEOUT_MS) and says what it waited for and what the page showed.
// No console error, uncaught exception, failed request or HTTP error is allowed, except the
// event stream's own noise (a reload aborts /__tradetalks/events; it is counted, not failed).
//
// The test edits a file of the served site: point it at a scratch site (`tradetalks init DIR`),
// not at one you are editing. Runs only when TT_SERVE_URL and TT_SITE_ROOT are set
// (scripts/browser-test.sh --live URL SITE_ROOT); otherwise it is skipped.
//
// Environment:
//   TT_SERVE_URL        the server's base URL, e.g. http://127.0.0.1:41234/
//   TT_SITE_ROOT        the site folder it serves (the one holding tradetalks.toml)
//   TT_PAGE             the page, relative to TT_SERVE_URL (default countries/japan/); its <h1>
//                       must be the page's title
//   TT_PAGE_FILE        that page's Markdown (default TT_SITE_ROOT/content/countries/japan.md),
//                       with a `title:` line in its front matter
//   TT_LIVE_TIMEOUT_MS  each wait, in ms (default 15000)

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { launchBrowser } from "./lib/browser.js"; // not lib/harness.js: that needs a built site

const SERVE_URL = process.env.TT_SERVE_URL ?? "";
const SITE_ROOT = process.env.TT_SITE_ROOT ?? "";
if (Boolean(SERVE_URL) !== Boolean(SITE_ROOT)) {
  throw new Error("livereload.test.js needs both TT_SERVE_URL and TT_SITE_ROOT (or neither, to skip it)");
}
const LIVE = Boolean(SERVE_URL && SITE_ROOT);
const TIMEOUT = Number(process.env.TT_LIVE_TIMEOUT_MS) || 15_000;
const EVENTS_PATH = "/__tradetalks/events";
const SCRIPT_PATH = "/__tradetalks/livereload.js";

const BASE = LIVE ? new URL(SERVE_URL.endsWith("/") ? SERVE_URL : `${SERVE_URL}/`) : null;
const PAGE_PATH = (process.env.TT_PAGE ?? "countries/japan/").replace(/^\//, "");
const PAGE_URL = LIVE ? new URL(PAGE_PATH, BASE).href : "";
const PAGE_FILE = LIVE
  ? path.resolve(process.env.TT_PAGE_FILE || path.join(SITE_ROOT, "content/countries/japan.md"))
  : "";
// How the server names the file in its errors: relative to the site, with forward slashes.
const FILE_NAME = LIVE ? path.relative(path.resolve(SITE_ROOT), PAGE_FILE).split(path.sep).join("/") : "";

// --- the page's Markdown ------------------------------------------------------------------------

let original = null; // the file's bytes before the test; written back by restore()
let written = false;

/** TEXT with the `title:` line of its front matter replaced by LINE. */
function withTitle(text, line) {
  const fm = /^(?:\uFEFF)?---\r?\n([\s\S]*?)\r?\n---\r?$/m.exec(text);
  if (!fm || fm.index !== 0) throw new Error(`${PAGE_FILE} does not start with YAML front matter (---)`);
  const start = fm[0].indexOf(fm[1]);
  const block = fm[1];
  const title = /^title:[^\r\n]*/m.exec(block);
  if (!title) throw new Error(`${PAGE_FILE}: no \`title:\` line in its front matter`);
  const at = start + title.index;
  return text.slice(0, at) + line + text.slice(at + title[0].length);
}

/** Writes TEXT to the page file (in place, as most editors do) and returns the time, in ms
 *  since the epoch, just before the write. */
function writePage(text) {
  written = true;
  const t = Date.now();
  fs.writeFileSync(PAGE_FILE, text);
  return t;
}

function restore() {
  if (original === null || !written) return;
  try {
    if (!fs.readFileSync(PAGE_FILE).equals(original)) fs.writeFileSync(PAGE_FILE, original);
    written = false;
  } catch (err) {
    console.error(`livereload.test.js: could not restore ${PAGE_FILE}: ${err.message}`);
  }
}

// Whatever ends the run (a failure, the runner's timeout, Ctrl-C), the file goes back.
process.on("exit", restore);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    restore();
    process.exit(130);
  });
}

// --- pages ----------------------------------------------------------------------------------------

/** Records a page's problems, and counts the event-stream noise that a reload causes (the
 *  aborted /__tradetalks/events request, and Chromium's messages about it) without failing. */
async function monitor(page) {
  const problems = [];
  const noise = [];
  const isStream = (url) => url?.startsWith(BASE.origin + EVENTS_PATH);
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const url = msg.location()?.url ?? "";
    const text = `console error: ${msg.text()}${url ? ` (${url})` : ""}`;
    (isStream(url) || msg.text().includes(EVENTS_PATH) ? noise : problems).push(text);
  });
  page.on("pageerror", (err) => problems.push(`uncaught exception: ${err.message ?? err}`));
  page.on("requestfailed", (req) => {
    if (!req.url().startsWith(BASE.origin)) return; // reported when it was blocked
    const text = `request failed: ${req.url()} (${req.failure()?.errorText ?? "unknown"})`;
    (isStream(req.url()) ? noise : problems).push(text);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  // Nothing leaves the machine.
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    const url = req.url();
    if (url.startsWith(BASE.origin) || url.startsWith("data:") || url.startsWith("blob:")) {
      req.continue();
    } else {
      problems.push(`request outside the server: ${url}`);
      req.abort("blockedbyclient");
    }
  });
  // Keeps every EventSource the page opens, so that a step can wait until the page listens
  // before it edits the file (an edit before that would go unseen: see the README).
  await page.evaluateOnNewDocument(() => {
    const Native = window.EventSource;
    if (!Native) return;
    window.__ttStreams = [];
    window.EventSource = class extends Native {
      constructor(...args) {
        super(...args);
        window.__ttStreams.push(this);
      }
    };
  });
  return { problems, noise };
}

/** What the page shows now, for failure messages. */
async function describePage(page) {
  try {
    const s = await page.evaluate(() => {
      const overlay = document.getElementById("tradetalks-error-overlay");
      return {
        url: location.href,
        marker: window.__ttMarker ?? null,
        h1: document.querySelector("h1")?.textContent.trim() ?? null,
        overlay: overlay ? overlay.textContent.replace(/\s+/g, " ").trim().slice(0, 300) : null,
        streams: (window.__ttStreams ?? []).map((s) => ["connecting", "open", "closed"][s.readyState]),
      };
    });
    return `url ${s.url}, marker ${s.marker}, <h1> ${JSON.stringify(s.h1)}, ` +
      `event stream ${s.streams.join("/") || "none"}, overlay ${s.overlay === null ? "none" : JSON.stringify(s.overlay)}`;
  } catch (err) {
    return `(could not read the page: ${err.message})`;
  }
}

/** Listens to the server's event stream from here as well, raw, to tell a server that sent
 *  nothing from a page that ignored what it was sent, and to time the rebuild apart from the
 *  browser. Resolves once the server has subscribed it (its response headers are in). */
async function tapEvents() {
  const abort = new AbortController();
  const url = new URL(EVENTS_PATH, BASE);
  const res = await fetch(url, { signal: abort.signal, headers: { accept: "text/event-stream" } });
  assert.equal(res.status, 200, `${url}: HTTP ${res.status}`);
  const frames = []; // {at, raw}: each event as sent, without the blank line ending it
  (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end; (end = /\r\n\r\n|\n\n|\r\r/.exec(buffer)); ) {
          const raw = buffer.slice(0, end.index);
          buffer = buffer.slice(end.index + end[0].length);
          if (!raw.startsWith(":")) frames.push({ at: Date.now(), raw }); // ":" lines keep it alive
        }
      }
    } catch {
      // aborted at the end
    }
  })();
  return {
    /** The first event named NAME sent at or after time T. */
    first: (name, t) => frames.find((f) => f.at >= t && new RegExp(`^event: ?${name}$`, "m").test(f.raw)),
    /** What the stream carried since time T, for failure messages. */
    explain(t) {
      const since = frames.filter((f) => f.at >= t);
      if (!since.length) return "the server sent no event on its event stream since the write";
      const lines = since.map((f) => `+${f.at - t} ms: ${JSON.stringify(`${f.raw.slice(0, 200)}\n\n`)}`);
      const dataless = since.filter((f) => !/^data(:|$)/m.test(f.raw));
      const hint = dataless.length
        ? "\n  An event without a `data` line is never dispatched: browsers drop an event whose data " +
          "buffer is empty (HTML standard, server-sent events, \"dispatch the event\"). The server must send e.g. `data: 1`."
        : "";
      return `the server's event stream sent, since the write:\n    ${lines.join("\n    ")}${hint}`;
    },
    close: () => abort.abort(),
  };
}

/** Waits until FN(ARG) is truthy in the page (across reloads), or fails saying WHAT was
 *  awaited, what the page showed then and (EXPLAIN) anything else worth knowing. */
async function waitFor(page, what, fn, arg, explain = () => "") {
  try {
    return await page.waitForFunction(fn, { timeout: TIMEOUT, polling: 25 }, arg);
  } catch (err) {
    if (err?.name !== "TimeoutError") throw err;
    const more = explain();
    throw new Error(`${what}: not within ${TIMEOUT / 1000} s.\n  The page now: ${await describePage(page)}` +
      (more ? `\n  ${more}` : ""));
  }
}

/** Waits until the page's live-reload event stream is open: the server has subscribed it, so
 *  the next rebuild reaches it. */
function waitForStream(page, who) {
  return waitFor(page, `${who}: the live-reload event stream (${EVENTS_PATH}) to open`, () =>
    (window.__ttStreams ?? []).some((s) => s.readyState === 1));
}

const h1Text = () => document.querySelector("h1")?.textContent.trim() ?? null;

/** Waits for a reload (the marker gone) showing TITLE in the <h1> and no overlay; returns
 *  timings in ms after WROTE: the `reload` event (as the test's own listener got it), the
 *  page's navigation start and load event end, and when the test saw the new <h1>. */
async function waitForReload(page, who, title, wrote, tap) {
  await waitFor(page, `${who}: the page to reload by itself and show the <h1> ${JSON.stringify(title)} without the error overlay`,
    (want) => window.__ttMarker === undefined && document.readyState === "complete" &&
      document.querySelector("h1")?.textContent.trim() === want &&
      !document.getElementById("tradetalks-error-overlay"),
    title, () => tap.explain(wrote));
  const seen = Date.now();
  const event = tap.first("state", wrote);
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0];
    return { start: performance.timeOrigin, load: performance.timeOrigin + (n?.loadEventEnd ?? 0), type: n?.type };
  });
  assert.equal(nav.type, "reload", `${who}: the page was replaced by a "${nav.type}" navigation, not reloaded`);
  return {
    event: event ? event.at - wrote : "?",
    navigation: Math.round(nav.start - wrote),
    loaded: Math.round(nav.load - wrote),
    seen: seen - wrote,
  };
}

function assertClean(mon, who) {
  assert.deepEqual(mon.problems, [], `${who} had problems:\n  ${mon.problems.join("\n  ")}`);
}

// --- the test ---------------------------------------------------------------------------------------

describe("live reload (tradetalks serve)", { skip: LIVE ? false : "TT_SERVE_URL and TT_SITE_ROOT are not set (scripts/browser-test.sh --live URL SITE_ROOT)" }, () => {
  let browser;
  let page;
  let mon;
  let second; // {page, mon}: the page opened while the build is broken (step c)
  let tap; // the test's own listener on the event stream
  let failed = false;
  let firstH1;
  const unique = `Live reload check ${Date.now().toString(36)}`;
  const titles = { edited: unique, fixed: `${unique} fixed` };
  const timings = [];

  before(async () => {
    assert.ok(fs.statSync(path.join(SITE_ROOT, "tradetalks.toml"), { throwIfNoEntry: false })?.isFile(),
      `TT_SITE_ROOT (${SITE_ROOT}) holds no tradetalks.toml: it is not a site folder`);
    assert.ok(fs.statSync(PAGE_FILE, { throwIfNoEntry: false })?.isFile(),
      `the page's Markdown ${PAGE_FILE} does not exist (set TT_PAGE_FILE)`);
    assert.ok(!FILE_NAME.startsWith(".."), `TT_PAGE_FILE (${PAGE_FILE}) is not inside TT_SITE_ROOT (${SITE_ROOT})`);
    original = fs.readFileSync(PAGE_FILE);
    withTitle(original.toString("utf8"), "title: x"); // fails early without front matter or title
    let res;
    try {
      res = await fetch(PAGE_URL, { signal: AbortSignal.timeout(TIMEOUT) });
    } catch (err) {
      throw new Error(`cannot fetch ${PAGE_URL}: ${err.cause?.message ?? err.message} (is \`tradetalks serve\` running at ${BASE.href}?)`);
    }
    const html = await res.text();
    assert.equal(res.status, 200, `${PAGE_URL} answered HTTP ${res.status} (set TT_PAGE to a page of the site)`);
    assert.ok(html.includes(SCRIPT_PATH), `${PAGE_URL} has no ${SCRIPT_PATH} script: is this \`tradetalks serve\`?`);
    assert.ok(!html.includes('id="tradetalks-error"'),
      `the build of ${SITE_ROOT} is already broken: fix it before running this test`);
    tap = await tapEvents();
    browser = await launchBrowser();
  });

  after(async () => {
    restore();
    tap?.close();
    await browser?.close();
    if (timings.length) {
      console.log(`# live reload timings (ms after the file write):\n${timings.map((l) => `#   ${l}`).join("\n")}`);
    }
  });

  // Each step runs only when the ones before it passed.
  const step = (name, fn) => test(name, async (t) => {
    if (failed) return t.skip("an earlier step failed");
    try {
      await fn(t);
    } catch (err) {
      failed = true;
      throw err;
    }
  });

  step("a. the page opens with the live-reload script and its event stream", async () => {
    page = await browser.newPage();
    mon = await monitor(page);
    const res = await page.goto(PAGE_URL, { waitUntil: "load", timeout: TIMEOUT });
    assert.equal(res?.status(), 200, `${PAGE_URL}: HTTP ${res?.status()}`);
    await waitForStream(page, PAGE_URL);
    firstH1 = await page.evaluate(h1Text);
    assert.ok(firstH1, `${PAGE_URL} has no <h1>`);
    await page.evaluate(() => { window.__ttMarker = 1; });
    assertClean(mon, PAGE_URL);
  });

  step("b. editing the title reloads the page with the new title", async (t) => {
    const wrote = writePage(withTitle(original.toString("utf8"), `title: ${JSON.stringify(titles.edited)}`));
    const ms = await waitForReload(page, `after changing the title in ${FILE_NAME}`, titles.edited, wrote, tap);
    timings.push(`title edited -> reload: event ${ms.event}, navigation ${ms.navigation}, loaded ${ms.loaded}, seen ${ms.seen}`);
    t.diagnostic(timings.at(-1));
    await waitForStream(page, `${PAGE_URL} after the reload`);
    await page.evaluate(() => { window.__ttMarker = 2; });
    assertClean(mon, PAGE_URL);
  });

  step("c. breaking the front matter shows the error overlay over the last good build", async (t) => {
    const wrote = writePage(withTitle(original.toString("utf8"), "title: [unclosed"));
    await waitFor(page, `after breaking the front matter of ${FILE_NAME}: the error overlay #tradetalks-error-overlay to be visible`, () => {
      const o = document.getElementById("tradetalks-error-overlay");
      if (!o) return false;
      const r = o.getBoundingClientRect();
      const s = getComputedStyle(o);
      return r.width > 0 && r.height > 0 && s.display !== "none" && s.visibility !== "hidden" && Number(s.opacity) > 0;
    }, undefined, () => tap.explain(wrote));
    const seen = Date.now() - wrote;
    timings.push(`front matter broken -> overlay visible: event ${tap.first("state", wrote)?.at - wrote}, seen ${seen}`);
    t.diagnostic(timings.at(-1));
    const shown = await page.evaluate(() => {
      const o = document.getElementById("tradetalks-error-overlay");
      return {
        role: o.getAttribute("role"),
        pre: o.querySelector("pre")?.textContent ?? null,
        text: o.textContent,
        marker: window.__ttMarker,
        h1: document.querySelector("h1")?.textContent.trim(),
      };
    });
    assert.equal(shown.role, "alertdialog", "the overlay's role");
    assert.ok(shown.pre, "the overlay has no <pre> with the errors");
    assert.ok(shown.pre.includes(FILE_NAME),
      `the overlay's errors do not name ${FILE_NAME}:\n${shown.pre.slice(0, 1000)}`);
    assert.equal(shown.marker, 2, "the page reloaded when the build broke: it must keep the last good build");
    assert.equal(shown.h1, titles.edited, "under the overlay, the <h1> is not the last good build's");
    // The overlay reads in both colour schemes, whatever the site's stylesheet does to <pre>.
    for (const scheme of ["light", "dark"]) {
      await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
      const contrast = await page.evaluate(() => {
        const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
        const lum = ([r, g, b]) => [r, g, b]
          .map((v) => v / 255)
          .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
          .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
        const o = document.getElementById("tradetalks-error-overlay");
        const out = {};
        for (const el of [o.querySelector("p"), o.querySelector("pre")]) {
          let bgEl = el;
          let bg = rgb(getComputedStyle(bgEl).backgroundColor);
          while (bg.length === 4 && bg[3] === 0 && bgEl.parentElement) {
            bgEl = bgEl.parentElement;
            bg = rgb(getComputedStyle(bgEl).backgroundColor);
          }
          const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(bg)];
          out[el.tagName.toLowerCase()] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }
        return out;
      });
      for (const [tag, ratio] of Object.entries(contrast)) {
        assert.ok(ratio >= 4.5, `the overlay's <${tag}> is ${ratio.toFixed(2)}:1 in ${scheme} mode (< 4.5)`);
      }
    }
    await page.emulateMediaFeatures([]);
    // The error located in the file (its headline and `--> FILE:LINE:COL`), for the report.
    const lines = shown.pre.split("\n");
    const at = lines.findIndex((l) => l.trim().startsWith(`--> ${FILE_NAME}`));
    t.diagnostic(`overlay: ${at > 0 ? `${lines[at - 1].trim()} ${lines[at].trim()}` : lines.find((l) => l.includes(FILE_NAME))?.trim()}`);

    // A page opened now gets the last good build with the overlay already in it.
    const p2 = await browser.newPage();
    second = { page: p2, mon: await monitor(p2) };
    const res = await p2.goto(PAGE_URL, { waitUntil: "load", timeout: TIMEOUT });
    assert.equal(res?.status(), 200, `${PAGE_URL} (opened while broken): HTTP ${res?.status()}`);
    const fresh = await p2.evaluate(() => {
      const o = document.getElementById("tradetalks-error-overlay");
      return {
        overlay: Boolean(o && o.getBoundingClientRect().height > 0),
        pre: o?.querySelector("pre")?.textContent ?? "",
        h1: document.querySelector("h1")?.textContent.trim(),
      };
    });
    assert.ok(fresh.overlay, "a page opened while the build is broken has no visible overlay at its load event");
    assert.ok(fresh.pre.includes(FILE_NAME), `the overlay of a page opened while broken does not name ${FILE_NAME}`);
    assert.equal(fresh.h1, titles.edited, "a page opened while broken is not the last good build");
    await waitForStream(p2, `${PAGE_URL} (opened while broken)`);
    await p2.evaluate(() => { window.__ttMarker = 3; });
    await page.bringToFront();
    assertClean(mon, PAGE_URL);
    assertClean(second.mon, `${PAGE_URL} (opened while broken)`);
  });

  step("d. fixing the title clears the overlay and reloads the page", async (t) => {
    const wrote = writePage(withTitle(original.toString("utf8"), `title: ${JSON.stringify(titles.fixed)}`));
    const [ms, ms2] = await Promise.all([
      waitForReload(page, `after fixing ${FILE_NAME}`, titles.fixed, wrote, tap),
      waitForReload(second.page, `after fixing ${FILE_NAME} (the page opened while broken)`, titles.fixed, wrote, tap),
    ]);
    timings.push(`fixed -> overlay gone, reload: event ${ms.event}, navigation ${ms.navigation}, loaded ${ms.loaded}, seen ${ms.seen}` +
      ` (page opened while broken: navigation ${ms2.navigation}, loaded ${ms2.loaded})`);
    t.diagnostic(timings.at(-1));
    await waitForStream(page, `${PAGE_URL} after the fix`);
    await page.evaluate(() => { window.__ttMarker = 4; });
    assertClean(mon, PAGE_URL);
    assertClean(second.mon, `${PAGE_URL} (opened while broken)`);
    await second.page.close();
  });

  step("e. writing the original file back reloads the original page", async (t) => {
    const wrote = Date.now();
    restore();
    assert.ok(fs.readFileSync(PAGE_FILE).equals(original), `${PAGE_FILE} was not restored`);
    const ms = await waitForReload(page, `after restoring ${FILE_NAME}`, firstH1, wrote, tap);
    timings.push(`restored -> reload: event ${ms.event}, navigation ${ms.navigation}, loaded ${ms.loaded}, seen ${ms.seen}`);
    t.diagnostic(timings.at(-1));
    assertClean(mon, PAGE_URL);
    if (mon.noise.length) t.diagnostic(`event-stream noise (not failures): ${[...new Set(mon.noise)].join("; ")}`);
    await page.close();
  });
});
