// Every page of the site: loads cleanly, fits a phone's width, reads in both colour schemes,
// prints sensibly.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertNoProblems, eachPage, installHelpers, openPage, setup, sitePages } from "./lib/harness.js";

const pages = sitePages();
let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

describe("every page", () => {
  test("loads with no console errors, exceptions or failed requests", async (t) => {
    await eachPage(t, pages, async (p) => {
      const { page, problems } = await openPage(env, p.path);
      try {
        // Let deferred work (and an alias page's redirect) settle before judging.
        await new Promise((r) => setTimeout(r, p.redirect ? 500 : 50));
        assertNoProblems(assert, problems, `${p.path} had problems`);
      } finally {
        await page.close();
      }
    }, { includeRedirects: true });
  });

  test("causes no horizontal scrolling at 375px wide", async (t) => {
    await eachPage(t, pages, async (p) => {
      const { page, problems } = await openPage(env, p.path, { viewport: { width: 375, height: 812 } });
      try {
        await installHelpers(page);
        const r = await page.evaluate(() => {
          const vw = window.innerWidth;
          // Name the culprits: elements sticking out on the right that no scroll region contains.
          const culprits = [];
          for (const el of document.body.querySelectorAll("*")) {
            const rect = el.getBoundingClientRect();
            if (rect.right <= vw + 0.5 || rect.width === 0) continue;
            let clipped = false;
            for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
              if (getComputedStyle(a).overflowX !== "visible") { clipped = true; break; }
            }
            if (!clipped) culprits.push(`${window.__tt.describe(el)} (right edge ${Math.round(rect.right)}px)`);
            if (culprits.length >= 5) break;
          }
          return { scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, culprits };
        });
        assert.ok(
          r.scrollWidth <= r.innerWidth,
          `${p.path}: page is ${r.scrollWidth}px wide in a ${r.innerWidth}px viewport; wider elements:\n  ${r.culprits.join("\n  ")}`,
        );
        assertNoProblems(assert, problems, `${p.path} had problems`);
      } finally {
        await page.close();
      }
    });
  });

  for (const scheme of ["light", "dark"]) {
    test(`body text contrasts >= 4.5:1 with the background (${scheme} mode)`, async (t) => {
      await eachPage(t, pages, async (p) => {
        const { page } = await openPage(env, p.path, { colorScheme: scheme });
        try {
          await installHelpers(page);
          const r = await page.evaluate(() => {
            const dark = matchMedia("(prefers-color-scheme: dark)").matches;
            return { dark, ...window.__tt.ratio(document.body, getComputedStyle(document.body).color) };
          });
          assert.equal(r.dark, scheme === "dark", "prefers-color-scheme emulation did not apply");
          assert.ok(r.ratio >= 4.5, `${p.path}: body text ${r.fg} on ${r.bg} is ${r.ratio.toFixed(2)}:1 (< 4.5)`);
        } finally {
          await page.close();
        }
      });
    });
  }

  for (const width of [375, 1280]) {
    test(`keeps its layout while pictures load, and picks pictures for its width (${width}px)`, async (t) => {
      await eachPage(t, pages, async (p) => {
        const { page, problems } = await openPage(env, p.path, {
          viewport: { width, height: 800 },
          slowPictures: 300,
          beforeLoad: () => {
            window.__shift = 0;
            window.__shifted = [];
            new PerformanceObserver((list) => {
              for (const e of list.getEntries()) {
                if (e.hadRecentInput) continue;
                window.__shift += e.value;
                for (const s of e.sources ?? []) {
                  const n = s.node;
                  const name = n ? `${n.nodeName.toLowerCase()}${n.id ? "#" + n.id : ""}${n.className && typeof n.className === "string" ? "." + n.className.trim().split(/\s+/).join(".") : ""}` : "?";
                  window.__shifted.push(`${name} ${Math.round(s.previousRect.y)}→${Math.round(s.currentRect.y)}px (${e.value.toFixed(3)} at ${Math.round(e.startTime)} ms)`);
                }
              }
            }).observe({ type: "layout-shift", buffered: true });
          },
        });
        try {
          // Down the page half a screen at a time, so that every lazy picture loads.
          await page.evaluate(async () => {
            for (let y = 0; y < document.body.scrollHeight; y += innerHeight / 2) {
              scrollTo(0, y);
              await new Promise((r) => setTimeout(r, 40));
            }
            await Promise.all([...document.images].map((img) =>
              img.complete ? null : new Promise((r) => { img.onload = img.onerror = r; })));
          });
          const r = await page.evaluate(() => ({
            shift: window.__shift,
            shifted: window.__shifted,
            // A picture whose size the page does not say moves what follows when it arrives.
            unsized: [...document.querySelectorAll("main img")]
              .filter((img) => !(img.getAttribute("width") && img.getAttribute("height")))
              .map((img) => img.getAttribute("src")),
            pictures: [...document.querySelectorAll("picture img")].map((img) => ({
              src: img.currentSrc,
              drawn: img.clientWidth / img.clientHeight,
              natural: img.naturalWidth / img.naturalHeight,
              width: img.clientWidth,
              naturalWidth: img.naturalWidth,
            })),
          }));
          // Nothing moves as the page loads: pictures say their size, and sortable tables keep
          // the room of their sort buttons before tables.js adds them.
          assert.ok(r.shift < 0.01, `${p.path}: the layout shifted by ${r.shift.toFixed(3)} as it loaded: ${r.shifted.join("; ")}`);
          assert.deepEqual(r.unsized, [], `${p.path}: pictures without width and height`);
          for (const pic of r.pictures) {
            assert.ok(pic.src.endsWith(".webp"), `${p.path}: ${pic.src} was chosen, not the WebP copy`);
            assert.ok(Math.abs(pic.drawn - pic.natural) < 0.02, `${p.path}: ${pic.src} is drawn out of proportion`);
            // The copy fetched is at least as wide as the picture is drawn, and not needlessly wider.
            assert.ok(pic.naturalWidth >= pic.width, `${p.path}: ${pic.src} (${pic.naturalWidth}px) is drawn ${pic.width}px wide`);
            assert.ok(pic.naturalWidth <= Math.max(480, pic.width * 2), `${p.path}: ${pic.src} (${pic.naturalWidth}px) for ${pic.width}px`);
          }
          assertNoProblems(assert, problems, `${p.path} had problems`);
        } finally {
          await page.close();
        }
      });
    });
  }

  test("prints tables whole, with link addresses and without the navigation", async (t) => {
    await eachPage(t, pages, async (p) => {
      const { page } = await openPage(env, p.path, { media: "print" });
      try {
        const r = await page.evaluate(() => ({
          navShown: [...document.querySelectorAll("nav.site-nav, .site-nav")]
            .filter((n) => getComputedStyle(n).display !== "none").length,
          scrolling: [...document.querySelectorAll(".tt-scroll")]
            .filter((s) => getComputedStyle(s).overflowX !== "visible").length,
          theadNotRepeated: [...document.querySelectorAll(".tt-data thead")]
            .filter((h) => getComputedStyle(h).display !== "table-header-group").length,
          linksWithoutUrl: [...document.querySelectorAll('main a[href^="http"]')]
            .filter((a) => !getComputedStyle(a, "::after").content.includes(a.getAttribute("href")))
            .map((a) => a.getAttribute("href")),
        }));
        assert.equal(r.navShown, 0, `${p.path}: the site navigation prints`);
        assert.equal(r.scrolling, 0, `${p.path}: ${r.scrolling} .tt-scroll region(s) still scroll in print`);
        assert.equal(r.theadNotRepeated, 0, `${p.path}: a table head is not display: table-header-group in print`);
        assert.deepEqual(r.linksWithoutUrl, [], `${p.path}: external links that print without their address`);
      } finally {
        await page.close();
      }
    });
  });
});
