// Accessibility audit of every page with axe-core (pinned in package.json), in the page as a
// reader gets it (tables.js has run):
//   - WCAG 2.0/2.1 A and AA and WCAG 2.2 AA rules, in light and in dark mode: any violation fails;
//   - on pages with tables, axe's best-practice rules in light mode: violations of the table,
//     duplicate-id, landmark and region rules fail, others are printed as notes.
// "Needs review" results (axe could not decide, e.g. contrast of SVG text) are notes, except
// th-has-data-cells, which reports a header without data cells only that way.
// tests/browser/broken-fixture/ shows each of these failing (scripts/browser-test.sh --broken-fixture).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import axe from "axe-core";
import { eachPage, openPage, setup, sitePages } from "./lib/harness.js";

const pages = sitePages().filter((p) => !p.redirect);
const tablePages = pages.filter((p) => /<table[\s>]/i.test(p.html));
let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

// Best-practice rules whose violations fail the test. td-has-header is tagged "experimental" and
// duplicate-id / duplicate-id-active "deprecated" (WCAG 2.2 dropped 4.1.1): axe skips both tags
// unless asked, so the best-practice run enables them by name. th-has-data-cells and
// duplicate-id-aria are WCAG rules: the WCAG runs check them on every page.
const BEST_PRACTICE_FATAL = [
  /^scope-attr-valid$/, /^td-has-header$/, /^th-has-data-cells$/, /^empty-table-header$/,
  /^duplicate-id/, /^landmark-/, /^region$/,
];
const BEST_PRACTICE_EXTRA = ["td-has-header", "duplicate-id", "duplicate-id-active"];

// Rules whose "needs review" results fail like violations. axe's th-has-data-cells never reports a
// violation: a header cell with no data cells (and no headers="" reference) comes back as "needs
// review" on the table, with the header cells as related nodes.
const NEEDS_REVIEW_FATAL = ["th-has-data-cells"];

const MAX_NODES = 3;   // elements listed per rule
const MAX_HTML = 200;  // characters of each element's HTML

/** Injects axe-core into the loaded page and runs it with OPTIONS. Resolves to
 *  {fatal, notes, review}: the violations (and NEEDS_REVIEW_FATAL results) that fail, the
 *  violations that do not (isFatal false), and the remaining "needs review" results. */
async function runAxe(page, options, isFatal = () => true) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(axe.source);
  // resultTypes: passes come back with one node each, which is all we need of them.
  const r = await page.evaluate((opts) => window.axe.run(document, opts), { resultTypes: ["violations", "incomplete"], ...options });
  const promoted = r.incomplete.filter((x) => NEEDS_REVIEW_FATAL.includes(x.id));
  return {
    fatal: [...r.violations.filter((v) => isFatal(v.id)), ...promoted.map((x) => ({ ...x, id: `${x.id} [needs review]` }))],
    notes: r.violations.filter((v) => !isFatal(v.id)),
    review: r.incomplete.filter((x) => !promoted.includes(x)),
  };
}

/** One readable paragraph per rule: id, impact, help, link, and the first few elements with
 *  their selectors, HTML and what axe found wrong (e.g. the contrast ratio and colours). */
function describeResults(results) {
  return results.map((r) => {
    const nodes = r.nodes.slice(0, MAX_NODES).map((n) => {
      const target = n.target.map((t) => (Array.isArray(t) ? t.join(" >>> ") : t)).join(" | ");
      const html = n.html.replace(/\s+/g, " ").trim();
      const checks = [...n.any, ...n.all, ...n.none];
      const why = [...new Set(checks.map((c) => c.message).filter(Boolean))];
      // Related nodes: e.g. the header cells of a table, the other elements with the same id.
      const related = [...new Set(checks.flatMap((c) => c.relatedNodes ?? []).map((rn) => rn.target.join(" | ")))]
        .filter((rt) => rt !== target);
      return `    - ${target}\n      ${html.length > MAX_HTML ? `${html.slice(0, MAX_HTML)}…` : html}` +
        (why.length ? `\n      ${why.join("; ")}` : "") +
        (related.length ? `\n      related: ${related.slice(0, MAX_NODES).join(", ")}${related.length > MAX_NODES ? ", …" : ""}` : "");
    });
    const more = r.nodes.length > MAX_NODES ? `\n    … and ${r.nodes.length - MAX_NODES} more element(s)` : "";
    return `  ${r.id} (${r.impact ?? "no impact"}, ${r.nodes.length} element(s)): ${r.help}\n    ${r.helpUrl}\n${nodes.join("\n")}${more}`;
  }).join("\n");
}

function reportIncomplete(t, pagePath, what, incomplete) {
  for (const r of incomplete) {
    // The first element is enough for a note.
    const n = r.nodes[0];
    const why = n ? [...new Set([...n.any, ...n.all, ...n.none].map((c) => c.message).filter(Boolean))].join("; ") : "";
    const where = n ? ` e.g. ${n.target.join(" | ")}${why ? `: ${why}` : ""}` : "";
    t.diagnostic(`axe note: ${pagePath} (${what}): needs review: ${r.id} (${r.help});${where}`);
  }
}

describe("axe-core", () => {
  for (const scheme of ["light", "dark"]) {
    test(`WCAG 2.2 A/AA rules pass (${scheme} mode)`, async (t) => {
      await eachPage(t, pages, async (p, st) => {
        const { page } = await openPage(env, p.path, { colorScheme: scheme });
        try {
          const dark = await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches);
          assert.equal(dark, scheme === "dark", "prefers-color-scheme emulation did not apply");
          const { fatal, review } = await runAxe(page, { runOnly: { type: "tag", values: WCAG } });
          reportIncomplete(st, p.path, `${scheme} mode`, review);
          if (fatal.length) {
            assert.fail(`${p.path} (${scheme} mode): ${fatal.length} axe violation(s) of WCAG A/AA rules:\n${describeResults(fatal)}`);
          }
        } finally {
          await page.close();
        }
      });
    });
  }

  test("best-practice table, id and landmark rules pass on pages with tables (light mode)", async (t) => {
    await eachPage(t, tablePages, async (p, st) => {
      const { page } = await openPage(env, p.path);
      try {
        const { fatal, notes, review } = await runAxe(page, {
          runOnly: { type: "tag", values: ["best-practice"] },
          rules: Object.fromEntries(BEST_PRACTICE_EXTRA.map((id) => [id, { enabled: true }])),
        }, (id) => BEST_PRACTICE_FATAL.some((re) => re.test(id)));
        if (notes.length) {
          st.diagnostic(`axe note: ${p.path}: ${notes.length} best-practice violation(s) that do not fail the test:`);
          for (const line of describeResults(notes).split("\n")) st.diagnostic(`axe note: ${line}`);
        }
        reportIncomplete(st, p.path, "best practice", review);
        if (fatal.length) {
          assert.fail(`${p.path}: ${fatal.length} axe violation(s) of best-practice table/id/landmark rules:\n${describeResults(fatal)}`);
        }
      } finally {
        await page.close();
      }
    });
  });
});
