// Shared pieces of the browser tests: a static server for the built site, the list of its
// pages, Chromium through puppeteer-core, and helpers that run inside the page.
//
// Environment (scripts/browser-test.sh sets the first):
//   TT_SITE_DIR     the built site to test (required)
//   TT_BASE_PATH    the path the site is served under, e.g. /explainers/tariffs/ for a site built
//                   with a base_url that has a path (default /)
//   CHROMIUM_PATH   the browser (default /usr/bin/chromium, Debian's package; see lib/browser.js)

import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { launchBrowser } from "./browser.js";

export { launchBrowser };

export const SITE_DIR = process.env.TT_SITE_DIR ? path.resolve(process.env.TT_SITE_DIR) : "";
export const BASE_PATH = normaliseBase(process.env.TT_BASE_PATH || "/");

if (!SITE_DIR || !fs.statSync(SITE_DIR, { throwIfNoEntry: false })?.isDirectory()) {
  throw new Error(`TT_SITE_DIR must name a built site (got '${process.env.TT_SITE_DIR ?? ""}')`);
}

function normaliseBase(base) {
  let b = base.startsWith("/") ? base : `/${base}`;
  if (!b.endsWith("/")) b += "/";
  return b;
}

// --- pages ------------------------------------------------------------------------------------

/** Every *.html file of the site (embed pages: the home page's) as {file, path, url, redirect},
 *  sorted by path. */
export function sitePages() {
  const files = fs
    .readdirSync(SITE_DIR, { recursive: true })
    .map((f) => f.split(path.sep).join("/"))
    .filter((f) => f.endsWith(".html"))
    // Embed pages repeat a figure of their page alone: those of the home page (`embed/ID/`)
    // stand for the rest, which would double the suite's time without testing anything new.
    .filter((f) => !f.startsWith("embed/") || /^embed\/[^/]+\/index\.html$/.test(f))
    .sort();
  if (files.length === 0) throw new Error(`no .html files under ${SITE_DIR} (was the site built?)`);
  return files.map((file) => {
    const html = fs.readFileSync(path.join(SITE_DIR, file), "utf8");
    const rel = file === "index.html" ? "" : file.endsWith("/index.html") ? file.slice(0, -10) : file;
    return {
      file,
      path: BASE_PATH + rel,
      // Alias pages redirect with <meta http-equiv="refresh">: they are checked for errors only.
      redirect: /<meta[^>]+http-equiv\s*=\s*["']?refresh/i.test(html),
      sortable: /<table[^>]*\sdata-sortable[\s>=]/i.test(html),
      chart: /class="[^"]*\btt-chart\b/.test(html),
      html,
    };
  });
}

// --- static server ------------------------------------------------------------------------------

const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml",
  ".xml": "application/xml", ".txt": "text/plain; charset=utf-8", ".csv": "text/csv; charset=utf-8",
  ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp",
  ".gif": "image/gif", ".ico": "image/x-icon", ".woff2": "font/woff2", ".pdf": "application/pdf",
};

/** Serves SITE_DIR under BASE_PATH on 127.0.0.1 and a free port, the way a static host would:
 *  DIR/ serves DIR/index.html, DIR without the slash redirects, a missing file is a 404 (with the
 *  site's 404.html as body when it has one). Resolves to {origin, close}. */
export function startServer() {
  const server = http.createServer((req, res) => {
    const send = (status, body, type, headers = {}) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    const notFound = () => {
      const page404 = path.join(SITE_DIR, "404.html");
      if (fs.existsSync(page404)) send(404, fs.readFileSync(page404), TYPES[".html"]);
      else send(404, "not found\n", TYPES[".txt"]);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "", TYPES[".txt"]);
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
    } catch {
      return send(400, "bad request\n", TYPES[".txt"]);
    }
    if (!urlPath.startsWith(BASE_PATH)) return notFound();
    let file = path.join(SITE_DIR, urlPath.slice(BASE_PATH.length));
    if (file !== SITE_DIR && !file.startsWith(SITE_DIR + path.sep)) return notFound();
    let stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      if (!urlPath.endsWith("/")) return send(301, "", TYPES[".txt"], { location: `${urlPath}/` });
      file = path.join(file, "index.html");
      stat = fs.statSync(file, { throwIfNoEntry: false });
    }
    if (!stat?.isFile()) return notFound();
    send(200, fs.readFileSync(file), TYPES[path.extname(file).toLowerCase()] || "application/octet-stream");
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(done); }),
      });
    });
  });
}

// --- browser ------------------------------------------------------------------------------------

// launchBrowser (lib/browser.js): Debian's Chromium, or CHROMIUM_PATH.

/** Starts the server and the browser once per test file. */
export async function setup() {
  const server = await startServer();
  const browser = await launchBrowser();
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * Opens PATH in a new page and records every problem: console errors, uncaught exceptions,
 * failed requests, HTTP errors, and requests that leave the test server (a built site must be
 * self-contained). Options: viewport {width, height}, javaScript (default true), colorScheme
 * ('light' | 'dark'), media ('screen' | 'print').
 * Returns {page, problems}; the caller closes the page.
 */
export async function openPage(env, pagePath, opts = {}) {
  const page = await env.browser.newPage();
  const problems = [];
  const origin = env.server.origin;
  page.on("console", (msg) => {
    if (msg.type() === "error") {
      const loc = msg.location();
      problems.push(`console error: ${msg.text()}${loc?.url ? ` (${loc.url}:${loc.lineNumber ?? "?"})` : ""}`);
    }
  });
  page.on("pageerror", (err) => problems.push(`uncaught exception: ${err.message ?? err}`));
  page.on("requestfailed", (req) => {
    if (!req.url().startsWith(origin)) return; // already reported when it was blocked
    problems.push(`request failed: ${req.url()} (${req.failure()?.errorText ?? "unknown"})`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    const url = req.url();
    if (opts.slowPictures && req.resourceType() === "image" && url.startsWith(origin)) {
      // Pictures that arrive after the first paint, as on a slow network.
      setTimeout(() => req.continue().catch(() => {}), opts.slowPictures);
    } else if (url.startsWith(origin) || url.startsWith("data:") || url.startsWith("blob:")) {
      req.continue();
    } else {
      problems.push(`request outside the site: ${url}`);
      req.abort("blockedbyclient");
    }
  });
  await page.setViewport(opts.viewport ?? { width: 1024, height: 800 });
  if (opts.javaScript === false) await page.setJavaScriptEnabled(false);
  // One CDP call for media type and features together: puppeteer's emulateMediaType and
  // emulateMediaFeatures each send Emulation.setEmulatedMedia, and the second would undo the first.
  const cdp = await page.createCDPSession();
  await cdp.send("Emulation.setEmulatedMedia", {
    media: opts.media ?? "screen",
    features: [
      { name: "prefers-color-scheme", value: opts.colorScheme ?? "light" },
      { name: "prefers-reduced-motion", value: "reduce" },
    ],
  });
  // Scripts to install before the page's own (an observer of layout shifts).
  if (opts.beforeLoad) await page.evaluateOnNewDocument(opts.beforeLoad);
  const res = await page.goto(origin + pagePath, { waitUntil: "load" });
  if (!res) problems.push(`no response for ${pagePath}`);
  else if (res.status() !== 200) problems.push(`HTTP ${res.status()} for the page itself`);
  return { page, problems };
}

/**
 * Brings back the heavy drawings a page sends as files of their own (a world map shown as
 * <img data-drawing> until tables.js puts the drawing in its place as it nears the screen):
 * scrolls to each in turn, waits until none is left, and scrolls back to the top. Returns the
 * box of each picture before and of its drawing after, for a caller to compare.
 */
export async function restoreDrawings(page) {
  const boxes = await page.evaluate(async () => {
    const boxes = [];
    for (const img of [...document.querySelectorAll("img[data-drawing]")]) {
      img.scrollIntoView({ block: "center" });
      const parent = img.parentNode, previous = img.previousSibling;
      const before = img.getBoundingClientRect();
      const start = Date.now();
      while (img.isConnected && Date.now() - start < 10000) {
        await new Promise((r) => setTimeout(r, 25));
      }
      // The drawing takes the picture's place.
      const drawing = previous ? previous.nextSibling : parent.firstChild;
      const after = drawing.getBoundingClientRect();
      boxes.push({
        src: img.getAttribute("src"),
        restored: !img.isConnected && drawing.localName === "svg",
        before: [before.x, before.y, before.width, before.height],
        after: [after.x, after.y, after.width, after.height],
      });
    }
    window.scrollTo(0, 0);
    return boxes;
  });
  return boxes;
}

export function pageUrl(env, pagePath) {
  return env.server.origin + pagePath;
}

// --- in-page helpers ----------------------------------------------------------------------------

/** Source of functions installed in the page as window.__tt (contrast maths, background lookup).
 *  Kept as a string so that it runs the same with JavaScript disabled (puppeteer's evaluate
 *  still works then). */
export const PAGE_HELPERS = `
window.__tt = (() => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  // Any CSS colour to [r, g, b, a] with r, g, b in 0..255 and a in 0..1.
  function parse(color) {
    const m = /^rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)$/.exec(color);
    if (m) return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]];
    if (color === "transparent" || color === "none" || !color) return [0, 0, 0, 0];
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = "#000";
    ctx.fillStyle = color;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  }
  function over(top, bottom) { // top composited over an opaque bottom
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
  }
  function luminance([r, g, b]) {
    const f = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  }
  function contrast(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }
  // The opaque colour behind an element: its own and its ancestors' backgrounds composited over
  // the canvas (white, or Chromium's dark canvas when the page uses a dark colour scheme).
  function background(el) {
    const layers = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    const dark = matchMedia("(prefers-color-scheme: dark)").matches &&
      /dark/.test(getComputedStyle(document.documentElement).colorScheme);
    let base = dark ? [18, 18, 18, 1] : [255, 255, 255, 1];
    for (const l of layers.reverse()) base = over(l, base);
    return base;
  }
  // The ratio of a foreground colour (text colour, fill) against the element's background.
  function ratio(el, fg) {
    const bg = background(el);
    return { ratio: contrast(over(parse(fg), bg), bg), fg, bg: "rgb(" + bg.slice(0, 3).map(Math.round).join(", ") + ")" };
  }
  function hidden(el) {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === "none" || s.visibility === "hidden") return true;
      if (s.clipPath === "inset(50%)" || (s.position === "absolute" && e.getBoundingClientRect().width <= 1)) return true;
    }
    return false;
  }
  function describe(el) {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.classList && el.classList.length) s += "." + [...el.classList].join(".");
    const text = (el.textContent || "").replace(/\\s+/g, " ").trim().slice(0, 40);
    return text ? s + ' "' + text + '"' : s;
  }
  return { parse, contrast, background, ratio, hidden, describe };
})();
`;

export async function installHelpers(page) {
  await page.evaluate(PAGE_HELPERS);
}

/** Runs fn(page, subtest) over every page (as subtests of t, one per page path), skipping
 *  redirect pages unless includeRedirects. */
export async function eachPage(t, pages, fn, { includeRedirects = false } = {}) {
  const list = pages.filter((p) => includeRedirects || !p.redirect);
  if (list.length === 0) {
    t.skip("no pages to check");
    return;
  }
  for (const p of list) await t.test(p.path, (st) => fn(p, st));
}

export function assertNoProblems(assert, problems, what) {
  assert.deepEqual(problems, [], `${what}:\n  ${problems.join("\n  ")}`);
}
