/* tradetalks: site search (progressive enhancement, no dependencies).
 *
 * form[data-index] (templates/search.html) names the index the build writes: info.json
 * {docs, chunk}; docs-K.json, docs K*chunk… as [title, url, excerpt, section]; terms-PP.json,
 * {term: [[docId, score], …]} for the terms starting with PP (characters outside [a-z0-9] as
 * "_"; no file means no terms). Queries are split as the build splits pages. A page matches when
 * it has every term, the last one also as the start of a word (results come while typing); pages
 * rank by the sum of their scores. Only the files a query needs are fetched, each once. The query
 * is kept in the URL (?q=), the results are links under a status line that screen readers
 * announce, and focus never moves. Without JavaScript the form reloads the page, which explains.
 */
(() => {
  "use strict";

  const form = document.querySelector("form[data-index]");
  const input = form && form.querySelector("input[name=q]");
  const region = document.getElementById("search-results");
  const status = document.getElementById("search-status");
  if (!input || !region || !status || !window.fetch) return;

  const MAX = 20;    // results shown
  const DELAY = 150; // ms of quiet after a keystroke before searching
  const STOP = new Set(("a an and are as at be by for from has he in is it its of on or that the to " +
    "was were will with this but").split(" ")); // src/publish/search.rs's STOP_WORDS
  const base = new URL(form.getAttribute("data-index"), location.href);
  const cache = new Map(); // file name -> promise of its JSON (null for a missing shard)
  let timer = 0, latest = 0; // latest: number of the newest search; older ones never render

  // The build's tokens(): Rust's char::is_alphanumeric is Unicode's Alphabetic or N*.
  function tokenize(text) {
    return text.split(/[^\p{Alphabetic}\p{N}]+/u).filter((w) => Array.from(w).length >= 2)
      .map((w) => w.toLowerCase()).filter((w) => !STOP.has(w));
  }

  // The shard file holding TERM: its first two characters, each outside [a-z0-9] as "_".
  function shardOf(term) {
    const pp = Array.from(term).slice(0, 2).map((c) => (/^[a-z0-9]$/.test(c) ? c : "_"));
    return "terms-" + pp.join("") + ".json";
  }

  // Fetches NAME from the index, once. A missing shard resolves to null; any other failure
  // rejects, and is forgotten so that the next search tries again.
  function load(name) {
    if (!cache.has(name)) {
      const p = fetch(new URL(name, base)).then((res) => {
        if (res.status === 404 && name.startsWith("terms-")) return null;
        if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
        return res.json();
      });
      p.catch(() => cache.delete(name));
      cache.set(name, p);
    }
    return cache.get(name);
  }

  // Doc id -> score for TERM: its own list, or (PREFIX) the best score among the terms it starts.
  // hasOwnProperty: a query like "constructor" must not find Object.prototype's.
  async function scoresOf(term, prefix) {
    const shard = await load(shardOf(term));
    const scores = new Map();
    const add = (list) => Array.isArray(list) && list.forEach(([doc, score]) =>
      scores.set(doc, Math.max(scores.get(doc) || 0, score)));
    if (shard) {
      if (!prefix) add(Object.prototype.hasOwnProperty.call(shard, term) ? shard[term] : null);
      else for (const t of Object.keys(shard)) if (t.startsWith(term)) add(shard[t]);
    }
    return scores;
  }

  // {total, docs} for QUERY, or null when it has no term to look for.
  async function search(query) {
    const terms = tokenize(query);
    if (terms.length === 0) return null;
    const last = terms.pop();
    const exact = [...new Set(terms)].filter((t) => t !== last);
    const [info, ...maps] = await Promise.all([load("info.json"),
      ...exact.map((t) => scoresOf(t, false)), scoresOf(last, true)]);
    if (!(info && info.chunk > 0 && info.docs >= 0)) throw new Error("info.json: no docs or chunk");
    maps.sort((a, b) => a.size - b.size); // walk the rarest term's pages
    const [first, ...rest] = maps, hits = [];
    for (const [doc, score] of first) {
      if (doc < info.docs && rest.every((m) => m.has(doc))) {
        hits.push([doc, rest.reduce((sum, m) => sum + m.get(doc), score)]);
      }
    }
    hits.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const top = hits.slice(0, MAX);
    const chunks = await Promise.all(top.map(([d]) => load(`docs-${Math.floor(d / info.chunk)}.json`)));
    const docs = top.map(([doc], i) => chunks[i][doc % info.chunk]).filter(Array.isArray);
    return { total: hits.length, docs };
  }

  // A new element with a class and text (as text, never HTML: titles and excerpts are data).
  const el = (tag, className, text) =>
    Object.assign(document.createElement(tag), { className, textContent: text });

  // Writes the status line and the list (FOUND from search(), or ERROR).
  function render(query, found, error) {
    region.querySelector(".search-list")?.remove();
    const q = `“${query}”`, n = found ? found.total : 0;
    status.textContent = error ? "Search is not available right now (its index did not load). Try again later."
      : !query ? ""
      : !found ? `Nothing to look for in ${q}: type a word of two or more letters (not one like “the”).`
      : n === 0 ? `No results for ${q}.`
      : `${n > MAX ? `The best ${MAX} of ` : ""}${n} result${n === 1 ? "" : "s"} for ${q}.`;
    status.classList.toggle("search-error", !!error);
    if (!found || found.docs.length === 0) return;
    const list = el("ol", "search-list");
    for (const [title, url, excerpt, section] of found.docs) {
      const li = el("li", "", "");
      li.append(Object.assign(el("a", "search-title", title || url), { href: url }));
      if (section) li.append(el("p", "search-section", section));
      if (excerpt) li.append(el("p", "search-excerpt", excerpt));
      list.append(li);
    }
    region.append(list);
  }

  // Searches for the input's value and shows the results, unless a newer search has started.
  async function run(updateUrl) {
    clearTimeout(timer);
    const query = input.value.trim(), mine = ++latest;
    if (updateUrl) {
      const url = new URL(location.href);
      if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
      history.replaceState(history.state, "", url);
    }
    try {
      const found = query ? await search(query) : null;
      if (mine === latest) render(query, found);
    } catch (error) {
      console.warn("search:", error);
      if (mine === latest) render(query, null, error);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault(); // no reload: the results appear here and focus stays in the box
    run(true);
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, DELAY, true);
  });
  const params = new URLSearchParams(location.search);
  if (params.has("q")) input.value = params.get("q");
  if (input.value.trim()) run(false);
})();
