// Generates the map geometry and country names tradetalks compiles in
// (src/geo/world.txt and countries.tsv) from Natural Earth's 1:50m admin-0
// countries as packaged by `world-atlas`, and ISO 3166-1 codes and names from
// `i18n-iso-countries`. Run: `npm ci && node gen-world.mjs` in scripts/world/.
//
// Geometry: simplified on the topology (shared borders stay shared, so neighbours never
// gap or overlap), projected to Equal Earth, and written as integers in a frame WIDTH units
// wide, so that the Rust side only scales and crops. Antarctica is left out.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as topojson from "topojson-client";
import * as simplify from "topojson-simplify";

const require = createRequire(import.meta.url);
const countries = require("i18n-iso-countries");
const topology = JSON.parse(
  readFileSync(require.resolve("world-atlas/countries-50m.json"), "utf8"),
);

const WIDTH = 4000;
// Minimum Visvalingam triangle area kept, in steradians: about a 0.02° square.
const MIN_WEIGHT = 0.05;
// Languages whose country names are compiled in (others fall back to English).
const LANGUAGES = [
  "en", "ar", "bn", "de", "es", "fa", "fr", "hi", "id", "it", "ja", "ko", "ms",
  "nl", "pl", "pt", "ru", "sv", "sw", "th", "tr", "uk", "ur", "vi", "zh",
];

const A1 = 1.340264, A2 = -0.081106, A3 = 0.000893, A4 = 0.003796;
const M = Math.sqrt(3) / 2;
function equalEarth(lon, lat) {
  const l = (lon * Math.PI) / 180, p = (lat * Math.PI) / 180;
  const t = Math.asin(M * Math.sin(p)), t2 = t * t, t6 = t2 * t2 * t2;
  const x = (l * Math.cos(t)) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)));
  const y = t * (A1 + A2 * t2 + t6 * (A3 + A4 * t2));
  return [x, y];
}
const [XMAX] = equalEarth(180, 0);
const [, YMAX] = equalEarth(0, 90);
const scale = WIDTH / (2 * XMAX);
const project = ([lon, lat]) => {
  const [x, y] = equalEarth(lon, lat);
  return [Math.round((x + XMAX) * scale), Math.round((YMAX - y) * scale)];
};

function centroid(points) {
  let a = 0, cx = 0, cy = 0;
  for (let i = 0; i < points.length; i++) {
    const [x0, y0] = points[i], [x1, y1] = points[(i + 1) % points.length];
    const f = x0 * y1 - x1 * y0;
    a += f; cx += (x0 + x1) * f; cy += (y0 + y1) * f;
  }
  if (a === 0) return { x: points[0][0], y: points[0][1], area: 0 };
  return { x: cx / (3 * a), y: cy / (3 * a), area: a / 2 };
}

const simple = simplify.simplify(simplify.presimplify(topology), MIN_WEIGHT);
// Several Natural Earth units can share one ISO code (Ashmore and Cartier Islands are `AU`):
// their rings are merged, the label going to the larger.
const byCode = new Map();
let skipped = [];
for (const geometry of simple.objects.countries.geometries) {
  const alpha2 = geometry.id && countries.numericToAlpha2(geometry.id);
  if (!alpha2) {
    skipped.push(geometry.properties.name);
    continue;
  }
  if (alpha2 === "AQ") continue;
  const feature = topojson.feature(simple, geometry);
  const polygons =
    feature.geometry.type === "Polygon"
      ? [feature.geometry.coordinates]
      : feature.geometry.coordinates;
  const rings = [];
  for (const polygon of polygons) {
    for (const ring of polygon) {
      const points = [];
      for (const p of ring) {
        const q = project(p);
        const last = points[points.length - 1];
        if (!last || last[0] !== q[0] || last[1] !== q[1]) points.push(q);
      }
      if (points.length > 1) {
        const first = points[0], last = points[points.length - 1];
        if (first[0] === last[0] && first[1] === last[1]) points.pop();
      }
      // A ring that crosses the antimeridian (Fiji, Kiribati, Russia's Chukotka) would be
      // drawn with a line across the whole map: its points are split into a western and an
      // eastern ring instead.
      const jumps = points.some((p, i) => i > 0 && Math.abs(p[0] - points[i - 1][0]) > WIDTH / 2);
      const parts = jumps
        ? [points.filter((p) => p[0] < WIDTH / 2), points.filter((p) => p[0] >= WIDTH / 2)]
        : [points];
      for (const part of parts) {
        if (part.length >= 3) rings.push(part.map((p) => `${p[0]},${p[1]}`).join(" "));
      }
    }
  }
  // Where a label or a circle goes, and the land area, from the unsimplified outline: the
  // centroid of the largest polygon (Fiji's halves sit at both edges of the map; its label
  // belongs to the larger one, not between them).
  const original = topojson.feature(topology, geometry).geometry;
  const originalPolygons =
    original.type === "Polygon" ? [original.coordinates] : original.coordinates;
  let best = null, area = 0;
  for (const polygon of originalPolygons) {
    const outer = polygon[0].map(([lon, lat]) => {
      const [x, y] = equalEarth(lon, lat);
      return [(x + XMAX) * scale, (YMAX - y) * scale];
    });
    const c = centroid(outer);
    area += Math.abs(c.area);
    if (!best || Math.abs(c.area) > Math.abs(best.area)) best = c;
  }
  const seen = byCode.get(alpha2);
  if (seen) {
    seen.rings.push(...rings);
    if (area > seen.area) seen.label = best;
    seen.area += area;
  } else {
    byCode.set(alpha2, { label: best, area, rings });
  }
}
const lines = [...byCode].map(
  ([alpha2, c]) =>
    `${alpha2}\t${Math.round(c.label.x)},${Math.round(c.label.y)}\t${Math.round(c.area)}\t${c.rings.join(";")}`,
);
lines.sort();
const header = [
  `# Country outlines, Equal Earth projection, in a frame ${WIDTH} wide and ${Math.round(2 * YMAX * scale)} high`,
  "# (x right, y down). One line per ISO 3166-1 alpha-2 code, then tab-separated: the label point",
  "# (centroid of the largest polygon), the land area in square units, and the rings of the",
  "# outline (separated by `;`, points by spaces; none when too small to draw at this scale).",
  "# Generated by scripts/world/gen-world.mjs from Natural Earth 1:50m admin-0 countries (public",
  "# domain) via world-atlas; see README.md beside this file.",
];
writeFileSync(
  new URL("../../src/geo/world.txt", import.meta.url),
  header.concat(lines).join("\n") + "\n",
);

const names = LANGUAGES.map((l) => countries.getNames(l, { select: "official" }));
const rows = [];
for (const [alpha2, numeric] of Object.entries(countries.getAlpha2Codes()).map(([a]) => [a, countries.alpha2ToNumeric(a)])) {
  const cells = [alpha2, countries.alpha2ToAlpha3(alpha2), numeric];
  for (const n of names) cells.push((n[alpha2] || "").replace(/\t/g, " "));
  rows.push(cells.join("\t"));
}
rows.sort();
writeFileSync(
  new URL("../../src/geo/countries.tsv", import.meta.url),
  ["alpha2\talpha3\tnumeric\t" + LANGUAGES.join("\t")].concat(rows).join("\n") + "\n",
);
// Every alpha-2 code on one line, for a data check to look codes up without parsing names.
writeFileSync(
  new URL("../../src/geo/codes.txt", import.meta.url),
  rows.map((r) => r.slice(0, 2)).join(" ") + "\n",
);
console.error(`${lines.length} countries drawn; skipped without an ISO code: ${skipped.join(", ")}`);
