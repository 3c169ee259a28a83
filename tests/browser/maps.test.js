// Maps as readers meet them (issue 16): a keyboard reaches each country with a value, and a
// screen reader hears its name and value; the labels of highlighted countries neither overlap
// nor leave the map, at a phone's width and a desktop's.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eachPage, openPage, restoreDrawings, setup, sitePages } from "./lib/harness.js";

const pages = sitePages().filter((p) => !p.redirect && p.html.includes("tt-map-shapes"));
let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

describe("maps", () => {
  test("the site has a map to test", () => {
    assert.ok(pages.length > 0, "no page with a map");
  });

  for (const width of [375, 1280]) {
    test(`Tab reaches a country, which is announced with its value (${width}px)`, async (t) => {
      await eachPage(t, pages, async (p) => {
        const { page, problems } = await openPage(env, p.path, { viewport: { width, height: 900 } });
        try {
          // A world map's drawing is a file of its own, put in place as it nears the screen,
          // in the picture's box to the pixel.
          for (const box of await restoreDrawings(page)) {
            assert.ok(box.restored, `${p.path}: ${box.src} did not come back as a drawing`);
            box.before.forEach((v, i) => assert.ok(Math.abs(v - box.after[i]) < 0.5,
              `${p.path}: ${box.src} was at ${box.before} as a picture, at ${box.after} as a drawing`));
          }
          // Focus what comes just before the first map's shapes, then press Tab.
          const ready = await page.evaluate(() => {
            const first = document.querySelector(".tt-map-shapes [tabindex='0']");
            const caption = first.closest("figure").querySelector("figcaption");
            caption.setAttribute("tabindex", "-1");
            caption.focus();
            return document.activeElement === caption;
          });
          assert.ok(ready, `${p.path}: could not focus the map's caption`);
          await page.keyboard.press("Tab");
          const focused = await page.evaluate(() => {
            const el = document.activeElement;
            const box = el.getBoundingClientRect();
            return {
              isCountry: el.classList.contains("tt-map-shape"),
              label: el.getAttribute("aria-label"),
              title: el.querySelector("title")?.textContent,
              outline: getComputedStyle(el).strokeWidth,
              visible: box.width > 0 && box.height > 0,
            };
          });
          assert.ok(focused.isCountry, `${p.path}: Tab after the caption did not reach a country`);
          assert.ok(focused.visible, `${p.path}: the focused country is not on screen`);
          assert.match(focused.label, /[:：].*\d/, `${p.path}: the focused country has no value in its name`);
          assert.equal(focused.title, focused.label);
          assert.ok(parseFloat(focused.outline) >= 2, `${p.path}: focus is not visible (stroke ${focused.outline})`);
          // What a screen reader announces: the accessible name of the focused node.
          const snapshot = await page.accessibility.snapshot({ root: await page.evaluateHandle(() => document.activeElement) });
          assert.equal(snapshot?.name, focused.label, `${p.path}: announced as ${JSON.stringify(snapshot)}`);
          assert.deepEqual(problems, [], `${p.path}: page problems`);
        } finally {
          await page.close();
        }
      });
    });

    test(`map labels neither overlap nor leave the map (${width}px)`, async (t) => {
      await eachPage(t, pages, async (p) => {
        const { page } = await openPage(env, p.path, { viewport: { width, height: 900 } });
        try {
          const result = await page.evaluate(() => {
            const problems = [];
            let labels = 0;
            for (const frame of document.querySelectorAll(".tt-map-frame")) {
              const box = frame.getBoundingClientRect();
              const layers = [...frame.querySelectorAll(".tt-map-labels")].filter((l) => getComputedStyle(l).display !== "none");
              if (layers.length !== 1) problems.push(`${layers.length} label layers shown`);
              for (const layer of layers) {
                const texts = [...layer.querySelectorAll("text:not(.tt-map-halo)")];
                const rects = texts.map((t) => t.getBoundingClientRect());
                labels += texts.length;
                texts.forEach((t, i) => {
                  const r = rects[i];
                  if (parseFloat(getComputedStyle(t).fontSize) * (box.width / layer.viewBox.baseVal.width) < 11) {
                    problems.push(`"${t.textContent}" is under 11px`);
                  }
                  if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
                    problems.push(`"${t.textContent}" leaves the map`);
                  }
                  for (let j = i + 1; j < texts.length; j++) {
                    const s = rects[j];
                    const w = Math.min(r.right, s.right) - Math.max(r.left, s.left);
                    const h = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
                    if (w > 0.5 && h > 0.5) problems.push(`"${t.textContent}" overlaps "${texts[j].textContent}"`);
                  }
                });
              }
            }
            return { problems, labels };
          });
          assert.deepEqual(result.problems, [], `${p.path} at ${width}px`);
          assert.ok(result.labels > 0, `${p.path}: no label to check`);
        } finally {
          await page.close();
        }
      });
    });
  }
});
