#!/usr/bin/env python3
"""Recall and precision of a built site's search index, per edition, for given queries.

    python3 scripts/search-recall.py PUBLIC_DIR EDITION_PATH QUERY...
    python3 scripts/search-recall.py public ja/ 関税 交渉 自動車

Relevant pages are those whose <main> text contains the query (NFC, lower-cased): what a
reader expects to find. Retrieved pages are those the index gives every term of the query,
split as search.js splits it (scripts without spaces into overlapping pairs of characters,
other words whole). Prints one line per query: relevant, retrieved, recall, precision.
"""
import glob
import html
import json
import os
import re
import sys
import unicodedata


def unspaced(ch):
    o = ord(ch)
    return (0x3040 <= o <= 0x30FF or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF
            or 0xF900 <= o <= 0xFAFF or 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF
            or 0x3130 <= o <= 0x318F or 0x0E00 <= o <= 0x0E7F)


def terms(query):
    """The terms of a query: words (letters, marks, digits); unspaced runs as pairs."""
    text = unicodedata.normalize("NFC", query).lower()
    words = re.findall(r"[\w\u0900-\u097F]+", text)
    out = []
    for word in words:
        if any(unspaced(c) for c in word):
            chars = list(word)
            out.extend(chars if len(chars) == 1 else ["".join(p) for p in zip(chars, chars[1:])])
        else:
            out.append(word)
    return out


def main():
    public, edition, queries = sys.argv[1], sys.argv[2], sys.argv[3:]
    index_dir = os.path.join(public, edition, "search-index")
    postings = {}
    for path in glob.glob(os.path.join(index_dir, "terms-*.json")):
        with open(path, encoding="utf-8") as f:
            for term, docs in json.load(f).items():
                postings[term] = {d for d, _ in docs}
    with open(os.path.join(index_dir, "info.json"), encoding="utf-8") as f:
        info = json.load(f)
    urls = {}
    for path in glob.glob(os.path.join(index_dir, "docs-*.json")):
        k = int(re.search(r"docs-(\d+)", path).group(1))
        with open(path, encoding="utf-8") as f:
            for i, doc in enumerate(json.load(f)):
                urls[k * info["chunk"] + i] = doc[1]
    texts = {}
    for doc, url in urls.items():
        from urllib.parse import unquote
        path = os.path.join(public, unquote(url).lstrip("/"), "index.html")
        with open(path, encoding="utf-8") as f:
            page = f.read()
        main_html = page[page.find("<main"):page.find("</main>")]
        text = html.unescape(re.sub(r"<[^>]+>", " ", main_html))
        texts[doc] = unicodedata.normalize("NFC", text).lower()
    print(f"{edition}: {len(urls)} pages in the index")
    for query in queries:
        q = unicodedata.normalize("NFC", query).lower()
        relevant = {d for d, t in texts.items() if q in t}
        found = None
        for term in terms(query):
            docs = postings.get(term, set())
            found = docs if found is None else found & docs
        found = found or set()
        hit = len(relevant & found)
        recall = hit / len(relevant) if relevant else 1.0
        precision = hit / len(found) if found else 1.0
        print(f"  {query}: relevant {len(relevant)}, retrieved {len(found)}, "
              f"recall {recall:.2f}, precision {precision:.2f}")


if __name__ == "__main__":
    main()
