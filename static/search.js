/* tradetalks: site search (progressive enhancement, no dependencies).
 *
 * form[data-index] (templates/search.html) names the index the build writes: info.json
 * {docs, chunk}; docs-K.json, docs K*chunk… as [title, url, excerpt, section]; terms-PP.json,
 * {term: [[docId, score], …]} for the terms of shard PP (see shardOf; no file means no terms).
 * Queries are split as the build splits pages, in any script. A page matches when it has every
 * term, the last one also as the start of a word (results come while typing); pages
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
  // The page's words for what this script says (base.html's #tt-messages, from the edition's
  // message file), with {name} for the values; English when a page has none.
  const lang = document.documentElement.lang || "en";
  const messages = (() => {
    try { return JSON.parse(document.getElementById("tt-messages").textContent); } catch { return {}; }
  })();
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));
  const say = (key, values, fallback) => fill(typeof messages[key] === "string" ? messages[key] : fallback, values);
  const plural = new Intl.PluralRules(lang);
  const DELAY = 150; // ms of quiet after a keystroke before searching
  const STOP = new Set(("a an and are as at be by for from has he in is it its of on or that the to " +
    "was were will with this but").split(" ")); // src/publish/search.rs's is_stop_word
  const base = new URL(form.getAttribute("data-index"), location.href);
  const cache = new Map(); // file name -> promise of its JSON (null for a missing shard)
  let timer = 0, latest = 0; // latest: number of the newest search; older ones never render

  // src/text.rs's words(): text in NFC; letters, marks and numbers make words, lower-cased
  // (final sigma as sigma); format characters (zero-width joiners, bidi controls) vanish; a
  // word ends where the script passes between one indexed by pairs of characters (Han, kana,
  // Hangul, Thai, Lao, Khmer, Myanmar) and any other, a mark going with the character before it.
  const WORD = /[\p{L}\p{M}\p{N}]/u, MARK = /\p{M}/u, FORMAT = /\p{Cf}/u, OTHER_LETTER = /\p{Lo}/u;
  const UNSPACED = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Mymr}]/u;
  function words(text) {
    const found = [];
    let word = "", unspacedWord = false;
    for (const c of text.normalize("NFC")) {
      if (FORMAT.test(c)) continue;
      if (!WORD.test(c)) {
        if (word) found.push([word, unspacedWord]);
        word = "";
        continue;
      }
      const unspaced = MARK.test(c) && word ? unspacedWord : UNSPACED.test(c);
      if (word && unspaced !== unspacedWord) {
        found.push([word, unspacedWord]);
        word = "";
      }
      unspacedWord = unspaced;
      word += c.toLowerCase().replace(/ς/g, "σ");
    }
    if (word) found.push([word, unspacedWord]);
    return found.map(([w, unspaced]) => [w.normalize("NFC"), unspaced]);
  }

  // src/publish/search.rs's tokens(): words of two or more characters (or one letter of a
  // syllabary, abjad or ideographic script, such as 쌀), stop words dropped; unspaced words as
  // their overlapping pairs of characters.
  function tokenize(text) {
    const terms = [];
    for (const [word, unspaced] of words(text)) {
      const chars = Array.from(word);
      if (unspaced && chars.length > 1) {
        for (let i = 0; i + 1 < chars.length; i++) terms.push(chars[i] + chars[i + 1]);
      } else if (chars.length > 1 || unspaced || OTHER_LETTER.test(word)) {
        terms.push(word);
      }
    }
    return terms.filter((w) => !STOP.has(w));
  }

  // The shard file holding TERM (src/publish/search.rs's shard_of): its first two characters
  // when the first is in [a-z0-9] (any other second one as "_"); otherwise "_" and the low
  // byte of the first character's code point in hex.
  function shardOf(term) {
    const [first, second] = Array.from(term);
    const plain = (c) => /^[a-z0-9]$/.test(c);
    const name = !plain(first) ? "_" + (first.codePointAt(0) & 0xff).toString(16).padStart(2, "0")
      : first + (second === undefined ? "" : plain(second) ? second : "_");
    return "terms-" + name + ".json";
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
    // The last term is also the start of a word (results come while typing), and so is a
    // term of one character (米 finds 米国).
    const last = terms.pop();
    const others = [...new Set(terms)].filter((t) => t !== last);
    const [info, ...maps] = await Promise.all([load("info.json"),
      ...others.map((t) => scoresOf(t, Array.from(t).length === 1)), scoresOf(last, true)]);
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
    const count = n.toLocaleString(lang);
    const forms = messages["search-results"] || {};
    status.textContent = error ? say("search-unavailable", {}, "Search is not available right now (its index did not load). Try again later.")
      : !query ? ""
      : !found ? say("search-nothing", { query: q }, "Nothing to look for in {query}: type a word of two or more letters (not one like “the”), or one character of Japanese, Chinese or Korean.")
      : n === 0 ? say("search-none", { query: q }, "No results for {query}.")
      : n > MAX ? say("search-best", { shown: MAX.toLocaleString(lang), count, query: q }, "The best {shown} of {count} results for {query}.")
      : fill(forms[plural.select(n)] || forms.other || "{count} results for {query}.", { count, query: q });
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
