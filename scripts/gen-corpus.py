#!/usr/bin/env python3
"""Deterministic corpus generator: N country-stance articles as a tradetalks site (and,
optionally, the same content as a Hugo site), for benchmarks and dev-server measurements.

    python3 scripts/gen-corpus.py --pages 10000 --out /tmp/corpus/tt --hugo /tmp/corpus/hugo

Same --seed and --pages give byte-identical sites. Shape (after /work/shared/bench/gen_corpus.py):

  content/_index.md                      home
  content/countries/_index.md            "Country stances", links to the 10 regions
  content/countries/REGION/_index.md     10 region sections (pages in the built-in page.html)
  content/countries/REGION/page-NNNNN.md the articles, round-robin over the regions
  data/rates.csv                         one row of rates per article (key `id`)
  tradetalks.toml                        taxonomy `sectors`, [schema."countries/REGION"] x 10
                                         (a schema applies to the section that owns a page,
                                         so each region carries the same schema), and the
                                         [data."rates.csv"] schema

Each article is ~6 KB of Markdown: YAML front matter (title, description, date, weight, the
schema fields country, iso2, lead_negotiator figure {value, as_of, source}, tariffs map of
figures with `reciprocal` as a fact reference into data/rates.csv, asks/offers/sticking_points
lists, sources list, and the `sectors` taxonomy), then h2/h3 headings, paragraphs with
emphasis, inline code and external links, a bullet list, a 6-row GFM table, one fenced code
block (json on even articles, yaml on odd by default: --code-langs), a blockquote, two
footnotes and internal links to other articles (one with a heading anchor). The first article
of each region also has a `{{ table(...) }}` and a `{{ chart(...) }}` of its region's rates.

The Hugo site (--hugo DIR) has the same bodies and front-matter values, except: internal links
use `{{< relref "/countries/REGION/page-NNNNN.md" >}}`; the fact reference is written out as
the figure it resolves to; the table and chart shortcodes become plain Markdown tables of the
same rows (filter, sort and limit applied here). It has small layouts mirroring tradetalks'
built-in ones (country page, section list, home, sector terms).

An output folder that exists must be empty or have been written by this script (it holds
`.gen-corpus`); it is then replaced.
"""
import argparse
import csv
import io
import json
import os
import random
import re
import shutil
import sys
import time
from datetime import date, timedelta

SITE_TITLE = "Trade talks: country stances"
SITE_DESC = "Generated corpus: where trading partners stand in tariff talks with the United States."
MARKER = ".gen-corpus"

# Ten region sections; pages go round-robin over them, countries round-robin within a region.
REGIONS = [
    ("east-asia", "East Asia", [("Japan", "JP"), ("South Korea", "KR"), ("China", "CN"),
                                ("Taiwan", "TW"), ("Mongolia", "MN")]),
    ("southeast-asia", "South-east Asia", [("Vietnam", "VN"), ("Thailand", "TH"), ("Indonesia", "ID"),
                                           ("Malaysia", "MY"), ("Philippines", "PH"),
                                           ("Singapore", "SG"), ("Cambodia", "KH")]),
    ("south-asia", "South Asia", [("India", "IN"), ("Pakistan", "PK"), ("Bangladesh", "BD"),
                                  ("Sri Lanka", "LK"), ("Nepal", "NP")]),
    ("oceania", "Oceania", [("Australia", "AU"), ("New Zealand", "NZ"), ("Fiji", "FJ"),
                            ("Papua New Guinea", "PG")]),
    ("western-europe", "Western Europe", [("Germany", "DE"), ("France", "FR"), ("Italy", "IT"),
                                          ("Spain", "ES"), ("Netherlands", "NL"),
                                          ("United Kingdom", "GB"), ("Ireland", "IE"),
                                          ("Switzerland", "CH")]),
    ("northern-europe", "Northern Europe", [("Norway", "NO"), ("Sweden", "SE"), ("Denmark", "DK"),
                                            ("Finland", "FI"), ("Iceland", "IS")]),
    ("eastern-europe", "Eastern Europe", [("Poland", "PL"), ("Turkey", "TR"), ("Hungary", "HU"),
                                          ("Romania", "RO"), ("Czechia", "CZ")]),
    ("north-america", "North America", [("Canada", "CA"), ("Mexico", "MX")]),
    ("latin-america", "Latin America", [("Brazil", "BR"), ("Argentina", "AR"), ("Chile", "CL"),
                                        ("Colombia", "CO"), ("Peru", "PE"), ("Ecuador", "EC")]),
    ("africa-middle-east", "Africa and the Middle East",
     [("South Africa", "ZA"), ("Nigeria", "NG"), ("Kenya", "KE"), ("Egypt", "EG"),
      ("Morocco", "MA"), ("Israel", "IL"), ("Saudi Arabia", "SA"),
      ("United Arab Emirates", "AE"), ("Jordan", "JO"), ("Lesotho", "LS")]),
]

SECTORS = [
    "autos", "auto-parts", "steel", "aluminium", "semiconductors", "electronics",
    "agriculture", "rice", "beef", "dairy", "pharmaceuticals", "medical-devices",
    "textiles", "apparel", "shipbuilding", "energy", "lng", "critical-minerals",
    "aerospace", "digital-services", "machinery", "chemicals", "seafood", "lumber",
]

FIRST = ["Akira", "Min-jun", "Priya", "Lars", "Ana", "Tomas", "Amara", "Hassan", "Mei", "Rafael",
         "Ingrid", "Kofi", "Sofia", "Arjun", "Leila", "Mateus", "Yuki", "Elena", "Omar", "Nadia"]
LAST = ["Tanaka", "Kim", "Sharma", "Nilsen", "Silva", "Novak", "Okafor", "Haddad", "Chen", "Lopez",
        "Berg", "Mensah", "Rossi", "Patel", "Karimi", "Costa", "Sato", "Ionescu", "Farouk", "Kowalska"]
OFFICES = ["Trade Minister", "Chief Negotiator", "Deputy Trade Representative", "Economy Minister",
           "Finance Minister", "Ambassador in Washington", "Industry Minister"]
OFFICIALS = [o.lower() for o in OFFICES] + ["prime minister"]
PUBLISHERS = ["Ministry of Trade", "Ministry of Finance", "Office of the Prime Minister",
              "Embassy in Washington", "National Statistics Office", "Chamber of Commerce"]
ANGLES = ["holds firm on {s}", "signals flexibility on {s}", "seeks carve-out for {s}",
          "offers purchases to shield {s}", "pushes back on {s} quotas",
          "weighs retaliation over {s}", "tables new offer on {s}",
          "eyes quick deal covering {s}", "links {s} to security ties",
          "courts investors to ease {s} pressure"]
VERBS = ["argues", "insists", "signals", "warns", "concedes", "suggests", "maintains",
         "acknowledges", "expects", "hopes"]
NOUNS = ["tariff schedule", "market-access offer", "rules-of-origin clause",
         "quota arrangement", "investment pledge", "purchase commitment",
         "non-tariff barrier", "phase-in period", "safeguard mechanism",
         "dispute panel", "exclusion process", "side letter", "framework agreement",
         "currency provision", "digital-trade chapter"]
ADJS = ["reciprocal", "sweeping", "narrow", "provisional", "binding", "phased",
        "sector-specific", "politically sensitive", "long-delayed", "contested",
        "unprecedented", "modest", "ambitious", "technical"]
PLACES = ["Washington", "Geneva", "the capital", "a G20 side meeting",
          "a video call", "the embassy", "an APEC forum", "a closed-door session"]
PRODUCTS = [("8703.23", "Passenger cars, 1.5-3.0 l"), ("8708.99", "Auto parts, other"),
            ("7208.51", "Hot-rolled steel plate"), ("7601.10", "Unwrought aluminium"),
            ("8542.31", "Processors and controllers"), ("8517.13", "Smartphones"),
            ("1006.30", "Milled rice"), ("0202.30", "Frozen boneless beef"),
            ("0406.90", "Cheese, other"), ("3004.90", "Medicaments, dosed"),
            ("6109.10", "Cotton T-shirts"), ("8901.90", "Cargo vessels"),
            ("2711.11", "Liquefied natural gas"), ("2846.90", "Rare-earth compounds"),
            ("8802.40", "Aircraft > 15 t"), ("8471.30", "Portable computers"),
            ("0306.17", "Frozen shrimp"), ("4407.11", "Sawn pine lumber"),
            ("2902.20", "Benzene"), ("8429.52", "Excavators")]
ASKS = ["Lower tariffs on US {s} exports", "An end to quotas on US {s}",
        "Faster approval of US {s} standards", "Purchases of US {s} over three years",
        "Investment in US {s} plants", "Removal of subsidies to domestic {s} producers",
        "Currency commitments alongside the {s} chapter"]
OFFERS = ["A phased cut in duties on {s}", "A larger duty-free quota for {s}",
          "Recognition of US {s} certification", "New purchases of US {s}",
          "Joint investment in {s} supply chains", "A review of {s} licensing rules"]
STICKING = ["The US tariff on {s}, the government's chief concern",
            "Domestic opposition to opening the {s} market",
            "Rules of origin for {s} assembled from third-country parts",
            "How fast any cut in {s} duties would apply"]

RATES_CSV = "rates.csv"
RATES_TITLE = "US tariff rates faced by each stance in the corpus"
RATES_SOURCE = "Generated by scripts/gen-corpus.py"
RATES_AS_OF = date(2025, 4, 2)
PLAIN = re.compile(r'[^"\\\x00-\x1f\x7f]*')
MD_LINK = re.compile("\x00([^\x00#]*)(?:#([^\x00]*))?\x00")


class Raw(str):
    """A YAML scalar written as it is (dates)."""


def yscalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, Raw):
        return str(v)
    if isinstance(v, date):
        return v.isoformat()
    s = str(v)
    if PLAIN.fullmatch(s):
        return '"' + s + '"'
    return json.dumps(s, ensure_ascii=False)  # a double-quoted YAML string


def yflow(v):
    if isinstance(v, dict):
        return "{ " + ", ".join("%s: %s" % (k, yflow(x)) for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(yflow(x) for x in v) + "]"
    return yscalar(v)


def yaml_dump(v, ind=0, flow_maps=False):
    """Block-style YAML for dicts and lists; with flow_maps, maps inside lists or maps are
    written `{ a: 1 }` on one line, as editors write figures."""
    pad = "  " * ind
    out = []
    if isinstance(v, dict):
        for k, x in v.items():
            if flow_maps and ind > 0 and isinstance(x, dict):
                out.append("%s%s: %s\n" % (pad, k, yflow(x)))
            elif isinstance(x, (dict, list)) and x:
                out.append("%s%s:\n%s" % (pad, k, yaml_dump(x, ind + 1, flow_maps)))
            else:
                out.append("%s%s: %s\n" % (pad, k, yscalar(x)))
    elif isinstance(v, list):
        for x in v:
            if isinstance(x, dict) and flow_maps:
                out.append("%s- %s\n" % (pad, yflow(x)))
            elif isinstance(x, dict):
                sub = yaml_dump(x, ind + 1)
                out.append("%s- %s" % (pad, sub[len("  " * (ind + 1)):]))
            else:
                out.append("%s- %s\n" % (pad, yscalar(x)))
    return "".join(out)


def front(d, flow_maps=True):
    return "---\n" + yaml_dump(d, flow_maps=flow_maps) + "---\n\n"


def page_rel(i):
    """Content path of article i (relative to content/)."""
    return "countries/%s/page-%05d.md" % (REGIONS[i % len(REGIONS)][0], i)


def ilink(text, i, anchor=None):
    """An internal link, written per flavour later (\\x00path#anchor\\x00 stands for the URL)."""
    return "[%s](\x00%s%s\x00)" % (text, page_rel(i), "#" + anchor if anchor else "")


def an(phrase, a="a"):
    """`a phrase` or `an phrase` (the phrase may start with `*`, `**` or `[`)."""
    return "%s%s %s" % (a, "n" if phrase.lstrip("*[")[:1] in "aeiou" else "", phrase)


def links_for(body, flavour):
    if flavour == "tradetalks":
        return MD_LINK.sub(lambda m: "@/" + m.group(1) + ("#" + m.group(2) if m.group(2) else ""), body)
    return MD_LINK.sub(lambda m: '{{< relref "/%s%s" >}}' % (
        m.group(1), "#" + m.group(2) if m.group(2) else ""), body)


class Writer:
    """Sentences and paragraphs from a seeded RNG (after the bench generator's)."""

    def __init__(self, rng):
        self.r = rng

    def link(self, text):
        return "[%s](https://news.example.net/%s/%d)" % (text, text.replace(" ", "-"), self.r.randint(100, 99999))

    def phrase(self):
        r = self.r
        noun, adj = r.choice(NOUNS), r.choice(ADJS)
        k = r.random()
        if k < 0.15:
            return "*%s %s*" % (adj, noun)
        if k < 0.25:
            return "**%s %s**" % (adj, noun)
        if k < 0.33:
            return self.link("%s %s" % (adj, noun))
        if k < 0.38:
            return "`%s`" % r.choice(PRODUCTS)[0]
        return "%s %s" % (adj, noun)

    def sentence(self, c):
        r = self.r
        s = r.choice(c["sector_words"])
        t = r.randrange(12)
        if t == 0:
            return "%s's %s %s that the %s on %s must be settled before any %s." % (
                c["country"], r.choice(OFFICIALS), r.choice(VERBS), self.phrase(), s, self.phrase())
        if t == 1:
            return "Officials met in %s to review the %s, with %s exporters watching closely." % (
                r.choice(PLACES), self.phrase(), s)
        if t == 2:
            return "The proposed rate of %.1f%% would apply to roughly $%d billion of %s shipments a year." % (
                c["proposed"], r.randint(2, 140), s)
        if t == 3:
            return "Analysts note that %s could offset part of the %.1f%% reciprocal duty." % (
                an(self.phrase()), c["reciprocal"])
        if t == 4:
            return "Negotiators from %s are said to prefer %s over a broader %s." % (
                c["country"], an(self.phrase()), self.phrase())
        if t == 5:
            return "Business groups in %s have lobbied for %s covering %s and %s." % (
                c["country"], an(self.phrase()), s, r.choice(SECTORS).replace("-", " "))
        if t == 6:
            return "Washington, for its part, %s that the %s is not up for discussion." % (
                r.choice(VERBS), self.phrase())
        if t == 7:
            return "%s reached in round %d was later revised after pressure from %s producers." % (
                an(self.phrase(), "A"), max(1, c["round"] - 1), s)
        if t == 8:
            return "Compared with the baseline of %.1f%%, the current proposal would %s the burden on %s." % (
                c["baseline"], r.choice(["double", "halve", "roughly triple", "barely change"]), s)
        if t == 9:
            return "The %s %s that any %s must be reciprocal and verifiable." % (
                r.choice(OFFICIALS), r.choice(VERBS), self.phrase())
        if t == 10:
            return "Trade data show %s shipments to the US %s by %d%% over the past year." % (
                s, r.choice(["rose", "fell", "slipped", "jumped"]), r.randint(2, 38))
        return "Observers in %s expect the %s to dominate the next session." % (r.choice(PLACES), self.phrase())

    def para(self, c, n):
        return " ".join(self.sentence(c) for _ in range(n))


def day(rng, start, end):
    return start + timedelta(days=rng.randint(0, (end - start).days))


def plan(n, rng):
    """Everything that is decided per article before any body is written (rates, names,
    dates), so that bodies can cite other articles and region tables can be computed."""
    arts = []
    for i in range(n):
        slug, region_name, countries = REGIONS[i % len(REGIONS)]
        k = i // len(REGIONS)
        country, iso2 = countries[k % len(countries)]
        rnd = 1 + k // len(countries)
        baseline = float(rng.choice([10.0, 10.0, 10.0, 5.0, 2.5]))
        reciprocal = round(rng.uniform(baseline + 1, 50), 1)
        proposed = round(rng.uniform(baseline, reciprocal), 1)
        arts.append(dict(i=i, region=slug, region_name=region_name, country=country, iso2=iso2,
                         round=rnd, baseline=baseline, reciprocal=reciprocal, proposed=proposed,
                         label="%s (round %d)" % (country, rnd), id="page-%05d" % i))
    return arts


def rates_csv(arts):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "label", "country", "iso2", "region", "baseline", "reciprocal", "proposed"])
    for a in arts:
        w.writerow([a["id"], a["label"], a["country"], a["iso2"], a["region"],
                    a["baseline"], a["reciprocal"], a["proposed"]])
    return buf.getvalue()


RATES_LABELS = dict(id="Id", label="Stance", country="Trading partner", iso2="Code", region="Region",
                    baseline="Baseline", reciprocal="Reciprocal", proposed="Proposed")


def pct(x):
    return ("%.1f" % x).rstrip("0").rstrip(".") + "%"


def region_blocks(a, arts):
    """The data section of a region's first article: tradetalks shortcodes, and for Hugo the
    same rows (filter region, sort by reciprocal rate descending, limit) as Markdown tables."""
    region = a["region"]
    rows = [x for x in arts if x["region"] == region]
    rows = sorted(rows, key=lambda x: -x["reciprocal"])  # stable, like the shortcodes' sort
    name = a["region_name"]
    tcap = "Highest US reciprocal rates among the %s stances" % name
    ccap = "US reciprocal rates of the ten most exposed %s stances" % name
    intro = "## How %s compares\n\nThe rates below come from the corpus's data file, one row per stance." % name
    tt = "\n\n".join([
        intro,
        '{{ table(data="%s", columns=["label", "iso2", "baseline", "reciprocal", "proposed"], '
        'filter="region == %s", sort="-reciprocal", limit=15, caption="%s") }}' % (RATES_CSV, region, tcap),
        '{{ chart(data="%s", x="label", y="reciprocal", filter="region == %s", sort="-reciprocal", '
        'limit=10, caption="%s") }}' % (RATES_CSV, region, ccap),
    ])
    cols = ["label", "iso2", "baseline", "reciprocal", "proposed"]
    t = ["**%s**" % tcap, "",
         "| " + " | ".join(RATES_LABELS[c] for c in cols) + " |",
         "|---|---|---:|---:|---:|"]
    for x in rows[:15]:
        t.append("| %s | %s | %s | %s | %s |" % (x["label"], x["iso2"], pct(x["baseline"]),
                                                 pct(x["reciprocal"]), pct(x["proposed"])))
    c = ["**%s**" % ccap, "", "| Stance | Reciprocal |", "|---|---:|"]
    for x in rows[:10]:
        c.append("| %s | %s |" % (x["label"], pct(x["reciprocal"])))
    c.append("")
    c.append("Source: %s, as of %s." % (RATES_SOURCE, RATES_AS_OF.isoformat()))
    hugo = "\n\n".join([intro, "\n".join(t), "\n".join(c)])
    return tt, hugo


def code_block(a, rng, lang, sectors):
    offers = []
    for s in sectors:
        offers.append(dict(sector=s, tariff_cap=round(rng.uniform(0, a["proposed"]), 1),
                           quota_units=rng.randint(1000, 2000000), phase_in_years=rng.randint(1, 10),
                           conditions=[rng.choice(NOUNS), rng.choice(NOUNS)]))
    doc = dict(country=a["country"], iso2=a["iso2"], round=a["round"],
               status=rng.choice(["draft", "tabled", "agreed-in-principle"]),
               rates=dict(baseline=a["baseline"], reciprocal=a["reciprocal"], proposed=a["proposed"]),
               offers=offers, review_clause=True, sunset_year=2026 + rng.randint(1, 8))
    if lang == "json":
        text = json.dumps(doc, indent=2)
    elif lang == "yaml":
        text = yaml_dump(doc).rstrip("\n")
    elif lang == "toml":
        text = "\n".join("%s = %s" % (k, json.dumps(v)) for k, v in doc.items() if not isinstance(v, (dict, list)))
    else:
        text = json.dumps(doc, indent=2)
    return "```%s\n%s\n```" % (lang, text)


def article(a, arts, rng, langs):
    """The text of one article: (tradetalks, Hugo)."""
    n, i = len(arts), a["i"]
    sectors = sorted(rng.sample(SECTORS, rng.randint(2, 4)))
    words = [s.replace("-", " ") for s in sectors]
    c = dict(a, sector_words=words)
    w = Writer(rng)
    angle = rng.choice(ANGLES).format(s=words[0])
    title = "%s %s in round %d of US tariff talks" % (a["country"], angle, a["round"])
    published = day(rng, date(2024, 5, 1), date(2025, 4, 18))
    as_of = day(rng, date(2025, 1, 2), date(2025, 4, 18))
    src = "%s statement, %s" % (rng.choice(PUBLISHERS), as_of.strftime("%-d %B %Y"))
    negotiator = "%s %s, %s" % (rng.choice(FIRST), rng.choice(LAST), rng.choice(OFFICES))
    sources = [dict(title="%s %s statement, round %d" % (a["country"], rng.choice(OFFICIALS), a["round"]),
                    publisher=rng.choice(PUBLISHERS), date=day(rng, date(2025, 1, 2), date(2025, 4, 18)),
                    url="https://sources.example.net/%s/%d/%d" % (a["iso2"].lower(), a["round"], k))
               for k in range(rng.randint(1, 3))]
    fig = lambda label, value: dict(label=label, value=value, unit="%", as_of=as_of, source=src)
    tariffs_tt = dict(
        baseline=fig("Baseline tariff on all imports", a["baseline"]),
        reciprocal=dict(data=RATES_CSV, row=a["id"], column="reciprocal",
                        label="Reciprocal tariff announced on 2 April"),
        proposed=fig("Rate proposed in round %d" % a["round"], a["proposed"]))
    tariffs_hugo = dict(tariffs_tt, reciprocal=dict(label="Reciprocal tariff announced on 2 April",
                                                    value=a["reciprocal"], unit="%",
                                                    as_of=RATES_AS_OF, source=RATES_TITLE))
    pick = lambda pool, k: [p.format(s=rng.choice(words)) for p in rng.sample(pool, k)]
    fields = dict(country=a["country"], iso2=a["iso2"],
                  lead_negotiator=dict(value=negotiator, as_of=as_of, source=src))
    lists = dict(asks=pick(ASKS, rng.randint(2, 4)), offers=pick(OFFERS, rng.randint(2, 4)),
                 sticking_points=pick(STICKING, rng.randint(1, 3)), sources=sources)
    head = dict(title=title,
                description="How %s approaches round %d of tariff negotiations with the United States." % (
                    a["country"], a["round"]),
                date=published, weight=i + 1)
    fm_tt = dict(head, **fields, tariffs=tariffs_tt, **lists, sectors=sectors)
    fm_hugo = dict(head, **fields, tariffs=tariffs_hugo, **lists, sectors=sectors)

    others = [j for j in (rng.randrange(n) for _ in range(3)) if j != i] if n > 1 else []
    cite = lambda j: ilink("%s's stance in round %d" % (arts[j]["country"], arts[j]["round"]), j)

    b = ["*%s* %s" % (w.sentence(c), w.para(c, 2)),
         "## Where the talks stand",
         w.para(c, 4),
         w.para(c, 3) + (" For contrast, see %s." % cite(others[0]) if others else ""),
         "### Key demands",
         "\n".join("- %s" % w.sentence(c) for _ in range(rng.randint(3, 5))),
         "## Tariff lines at stake",
         w.para(c, 2)]
    rows = ["| HS code | Product | Current rate | US proposal | %s offer |" % a["country"],
            "|---|---|---:|---:|---:|"]
    for hs, prod in rng.sample(PRODUCTS, 6):
        cur = round(rng.uniform(0, 12), 1)
        rows.append("| `%s` | %s | %.1f%% | %.1f%% | %.1f%% |" % (
            hs, prod, cur, round(rng.uniform(cur, 50), 1), round(rng.uniform(0, cur + 5), 1)))
    b.append("\n".join(rows))
    b.append("## The negotiating text")
    b.append(w.para(c, 2) + " An excerpt of the position paper, as circulated to delegations:")
    b.append(code_block(a, rng, langs[i % len(langs)], sectors))
    b.append("> %s %s\n>\n> — *%s's %s*" % (w.sentence(c), w.sentence(c), a["country"], rng.choice(OFFICIALS)))
    b.append("## What happens next")
    b.append(w.para(c, 3) + "[^1]")
    if len(others) > 1:
        b.append(w.para(c, 2) + " Negotiators will have read %s and the %s." % (
            cite(others[1]), ilink("state of play there", others[-1], "where-the-talks-stand")))
    else:
        b.append(w.para(c, 3))
    b.append("### Risks")
    b.append(w.para(c, 3) + "[^2]")
    tail = ["[^1]: Based on %s. Figures are provisional." % w.link("official statements"),
            "[^2]: Estimates from trade analysts; see the sources listed below."]
    body = "\n\n".join(b)
    if i < len(REGIONS):  # the first article of each region shows its region's data
        tt_data, hugo_data = region_blocks(a, arts)
    else:
        tt_data = hugo_data = None
    body_tt = "\n\n".join([body] + ([tt_data] if tt_data else []) + tail) + "\n"
    body_hugo = "\n\n".join([body] + ([hugo_data] if hugo_data else []) + tail) + "\n"
    return (front(fm_tt) + links_for(body_tt, "tradetalks"),
            front(fm_hugo) + links_for(body_hugo, "hugo"))


def put(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def fresh(root):
    """Empties `root` if it is ours (or empty); refuses any other folder."""
    if os.path.exists(root):
        if not os.path.isdir(root):
            sys.exit("error: %s exists and is not a folder" % root)
        if os.listdir(root) and not os.path.exists(os.path.join(root, MARKER)):
            sys.exit("error: %s is not empty and was not written by gen-corpus.py (no %s): refusing to replace it"
                     % (root, MARKER))
        shutil.rmtree(root)
    os.makedirs(root)
    put(os.path.join(root, MARKER), "written by scripts/gen-corpus.py; the folder is replaced on the next run\n")


SCHEMA = """country = "string"
iso2 = "string"
lead_negotiator = "figure"
tariffs = "map"
asks = "list"
offers = "list"
sticking_points = "list"
constraints = "list?"
next_steps = "list?"
sources = "list"
"""


def tradetalks_toml():
    out = ['title = "%s"' % SITE_TITLE,
           'base_url = "https://example.org/"',
           'language = "en"',
           'description = "%s"' % SITE_DESC,
           "stale_after_days = 730",
           "",
           "[[taxonomies]]",
           'name = "sectors"',
           "",
           "[markdown]",
           "highlight_code = true",
           'light_theme = "InspiredGitHub"',
           'dark_theme = "base16-ocean.dark"',
           "smart_punctuation = true",
           "",
           "# A schema applies to the pages of the section that owns them: each region has one."]
    for slug, _, _ in REGIONS:
        out += ["", '[schema."countries/%s"]' % slug, SCHEMA.rstrip("\n")]
    out += ["",
            '[data."%s"]' % RATES_CSV,
            'title = "%s"' % RATES_TITLE,
            'source = "%s"' % RATES_SOURCE,
            "as_of = %s" % RATES_AS_OF.isoformat(),
            'key = "id"',
            '[data."%s".columns]' % RATES_CSV,
            'id = { type = "string", label = "Id" }',
            'label = { type = "string", label = "Stance" }',
            'country = { type = "string", label = "Trading partner" }',
            'iso2 = { type = "country", label = "Code" }',
            'region = { type = "string", label = "Region" }',
            'baseline = { type = "number", unit = "%", min = 0, max = 100, label = "Baseline" }',
            'reciprocal = { type = "number", unit = "%", min = 0, max = 100, label = "Reciprocal" }',
            'proposed = { type = "number", unit = "%", min = 0, max = 100, label = "Proposed" }']
    return "\n".join(out) + "\n"


HOME_BODY = ("Negotiations over US tariffs now involve dozens of trading partners. These explainers "
             "track each country's stance, round by round, with *tariff rates*, sector exposure and "
             "**negotiating positions**.\n")


def region_counts(n):
    return {slug: len(range(k, n, len(REGIONS))) for k, (slug, _, _) in enumerate(REGIONS)}


def sections(flavour, n):
    """(path under content/, front matter, body) of the home, countries/ and region sections."""
    counts = region_counts(n)
    if flavour == "tradetalks":
        sec = lambda slug: "@/countries/%s/_index.md" % slug
        pg = lambda i: "@/" + page_rel(i)
    else:
        sec = lambda slug: '{{< relref "/countries/%s" >}}' % slug
        pg = lambda i: '{{< relref "/%s" >}}' % page_rel(i)
    home_link = "[country stances](%s)" % ("@/countries/_index.md" if flavour == "tradetalks"
                                           else '{{< relref "/countries" >}}')
    out = [("_index.md", dict(title=SITE_TITLE, description=SITE_DESC),
            HOME_BODY + "\nStart with the %s, grouped by region.\n" % home_link)]
    items = "\n".join("- [%s](%s): %d stances." % (name, sec(slug), counts[slug]) for slug, name, _ in REGIONS)
    countries = dict(title="Country stances", description="Every stance in the corpus, by region.")
    if flavour == "tradetalks":
        countries["sort_by"] = "weight"
    out.append(("countries/_index.md", countries,
                "Each region below lists its stances in the order they were written.\n\n" + items + "\n"))
    for k, (slug, name, cs) in enumerate(REGIONS):
        d = dict(title=name, description="How governments in %s approach tariff talks with the United States." % name,
                 weight=k + 1)
        if flavour == "tradetalks":
            # The built-in page.html shows the schema's fields (country.html is gone).
            d = dict(title=d["title"], description=d["description"], sort_by="weight")
        body = ("Explainers on how governments in **%s** (%s) are approaching talks with the United States "
                "over reciprocal tariffs. Each article covers one negotiating round.\n" % (
                    name, ", ".join(c for c, _ in cs)))
        if counts[slug]:
            body += "\nThe first of them, with the region's rates as a table and a chart: [%s](%s).\n" % (
                "round 1 for %s" % cs[0][0], pg(k))
        out.append(("countries/%s/_index.md" % slug, d, body))
    return out


# ------------------------------------------------------------------------------------------
# Hugo layouts: the same pages as tradetalks' built-in templates, roughly (country page with the
# at-a-glance table, stance lists, body and sources; section lists; home; sector terms).
# ------------------------------------------------------------------------------------------
HUGO_CONFIG = """baseURL = "https://example.org/"
title = "%s"
languageCode = "en"
disableKinds = ["RSS", "sitemap", "robotsTXT"]

[taxonomies]
  sector = "sectors"

[markup.highlight]
  noClasses = false
  codeFences = true
  guessSyntax = false

[markup.goldmark.extensions]
  linkify = false

[params]
  description = "%s"
""" % (SITE_TITLE, SITE_DESC)

HUGO_BASEOF = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} · {{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Description }}{{ . }}{{ else }}{{ site.Params.description }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header><a class="brand" href="/">{{ site.Title }}</a>
<nav><ul>{{ range site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}<li><a href="/sectors/">Sectors</a></li></ul></nav>
</header>
<main id="main">
{{ block "main" . }}{{ end }}
</main>
<footer><p>{{ site.Title }} · {{ site.Params.description }}</p></footer>
</body>
</html>
"""

HUGO_FIG = """{{ if reflect.IsMap $t }}<td class="num">{{ $t.value }}{{ with $t.unit }}{{ if eq . "%" }}%{{ else }} {{ . }}{{ end }}{{ end }}</td><td>{{ $t.source }}</td><td>{{ with $t.as_of }}<time datetime="{{ . }}">{{ (time .).Format "2 January 2006" }}</time>{{ end }}</td>{{ else }}<td class="num">{{ $t }}</td><td></td><td></td>{{ end }}"""

HUGO_SINGLE = """{{ define "main" }}{{ $f := .Params }}
<article>
<header class="page-header"><h1>{{ .Title }}</h1>
{{ with .Description }}<p class="lede">{{ . }}</p>{{ end }}
<p class="meta">Published <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time> · {{ .ReadingTime }} min read</p></header>
{{ if $f.country }}
<section class="stance"><h2 id="at-a-glance">At a glance</h2>
<table><caption>{{ $f.country }}: negotiator and US tariffs faced</caption>
<thead><tr><th scope="col">Item</th><th scope="col" class="num">Value</th><th scope="col">Source</th><th scope="col">As of</th></tr></thead>
<tbody>
<tr><th scope="row">Lead negotiator</th>{{ $t := $f.lead_negotiator }}""" + HUGO_FIG + """</tr>
{{ range $name, $t := $f.tariffs }}<tr><th scope="row">{{ with $t.label }}{{ . }}{{ else }}{{ $name | humanize }} tariff{{ end }}</th>""" + HUGO_FIG + """</tr>
{{ end }}</tbody></table></section>
<section class="stance"><h2 id="stance-title">The stance in brief</h2>
<h3 id="stance-asks">What the US wants</h3><ul>{{ range $f.asks }}<li>{{ . }}</li>{{ end }}</ul>
<h3 id="stance-offers">What is on the table</h3><ul>{{ range $f.offers }}<li>{{ . }}</li>{{ end }}</ul>
<h3 id="stance-sticking-points">Sticking points</h3><ul>{{ range $f.sticking_points }}<li>{{ . }}</li>{{ end }}</ul>
</section>
{{ end }}
<ul class="sectors">{{ range .GetTerms "sectors" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<section class="narrative"><h2 id="in-depth">In depth</h2>
{{ .Content }}
</section>
{{ with $f.sources }}<section class="stance"><h2 id="sources-title">Sources</h2><ul class="sources">
{{ range . }}<li>{{ with .url }}<a href="{{ . }}">{{ end }}{{ .title }}{{ with .url }}</a>{{ end }}{{ with .publisher }}, {{ . }}{{ end }}{{ with .date }}, <time datetime="{{ . }}">{{ (time .).Format "2 January 2006" }}</time>{{ end }}</li>
{{ end }}</ul></section>{{ end }}
</article>
{{ end }}
"""

HUGO_LIST = """{{ define "main" }}
<article>
<header class="page-header"><h1>{{ .Title }}</h1>{{ with .Description }}<p class="lede">{{ . }}</p>{{ end }}</header>
{{ .Content }}
<ul class="page-list">
{{ range .RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Description }}<p>{{ . }}</p>{{ end }}</li>
{{ end }}{{ range .Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Description }}<p>{{ . }}</p>{{ end }}</li>
{{ end }}</ul>
</article>
{{ end }}
"""

HUGO_HOME = """{{ define "main" }}
<article>
<header class="page-header"><h1>{{ site.Title }}</h1>{{ with .Description }}<p class="lede">{{ . }}</p>{{ end }}</header>
{{ .Content }}
{{ range .Sections }}<section><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<ul class="page-list">{{ range .Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> ({{ len .RegularPages }})</li>{{ end }}</ul></section>
{{ end }}
</article>
{{ end }}
"""

HUGO_TAXONOMY = """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul class="terms">{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}</ul>
{{ end }}
"""

HUGO_TERM = """{{ define "main" }}
<h1>Sector: {{ .Title }}</h1>
<p>{{ len .Pages }} articles</p>
<ul class="page-list">{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.country }}</li>
{{ end }}</ul>
{{ end }}
"""

HUGO_404 = """{{ define "main" }}<h1>Page not found</h1>{{ end }}
"""

STYLE_CSS = """body{font-family:system-ui,sans-serif;max-width:46rem;margin:auto;padding:1rem;line-height:1.5}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .4rem}.num{text-align:right}
pre{overflow:auto;padding:.6rem}
"""


def emit_hugo(root, n, pages):
    fresh(root)
    put(os.path.join(root, "config.toml"), HUGO_CONFIG)
    L = os.path.join(root, "layouts")
    put(os.path.join(L, "_default", "baseof.html"), HUGO_BASEOF)
    put(os.path.join(L, "_default", "single.html"), HUGO_SINGLE)
    put(os.path.join(L, "_default", "list.html"), HUGO_LIST)
    put(os.path.join(L, "_default", "taxonomy.html"), HUGO_TAXONOMY)
    put(os.path.join(L, "_default", "term.html"), HUGO_TERM)
    put(os.path.join(L, "index.html"), HUGO_HOME)
    put(os.path.join(L, "404.html"), HUGO_404)
    put(os.path.join(root, "static", "style.css"), STYLE_CSS)
    C = os.path.join(root, "content")
    for path, d, body in sections("hugo", n):
        put(os.path.join(C, path), front(d) + body)
    for rel, text in pages:
        put(os.path.join(C, rel), text)


def emit_tradetalks(root, n, pages, csvtxt):
    fresh(root)
    put(os.path.join(root, "tradetalks.toml"), tradetalks_toml())
    put(os.path.join(root, "data", RATES_CSV), csvtxt)
    C = os.path.join(root, "content")
    for path, d, body in sections("tradetalks", n):
        put(os.path.join(C, path), front(d) + body)
    for rel, text in pages:
        put(os.path.join(C, rel), text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=1000, help="number of articles (default 1000)")
    ap.add_argument("--out", required=True, help="folder for the tradetalks site (replaced)")
    ap.add_argument("--hugo", metavar="OUT2", help="also write the same content as a Hugo site here (replaced)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--code-langs", default="json,yaml",
                    help="languages of the fenced block, cycled per article (default json,yaml; also toml)")
    a = ap.parse_args()
    if a.pages < 0:
        ap.error("--pages must be 0 or more")
    if a.hugo and os.path.abspath(a.hugo) == os.path.abspath(a.out):
        ap.error("--hugo must be another folder than --out")
    langs = [x.strip() for x in a.code_langs.split(",") if x.strip()] or ["json"]
    started = time.monotonic()
    rng = random.Random(a.seed)
    arts = plan(a.pages, rng)
    tt_pages, hugo_pages, sizes = [], [], []
    for art in arts:
        text_tt, text_hugo = article(art, arts, rng, langs)
        rel = page_rel(art["i"])
        sizes.append(len(text_tt.encode()))
        tt_pages.append((rel, text_tt))
        hugo_pages.append((rel, text_hugo))
    emit_tradetalks(a.out, a.pages, tt_pages, rates_csv(arts))
    if a.hugo:
        emit_hugo(a.hugo, a.pages, hugo_pages)
    sizes.sort()
    if sizes:
        print("articles=%d file bytes (tradetalks): min=%d median=%d max=%d total=%.1f MB; %.2f s" % (
            len(sizes), sizes[0], sizes[len(sizes) // 2], sizes[-1], sum(sizes) / 1e6,
            time.monotonic() - started))


if __name__ == "__main__":
    main()
