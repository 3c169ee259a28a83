# The words tradetalks' built-in templates, shortcodes and scripts write, in English.
# Fluent syntax (https://projectfluent.org/): `key = text`, `{ $name }` for a value the
# template passes, and `{ $count -> [one] … *[other] … }` for plurals. A site overrides or
# adds messages in `messages/LANG.ftl` at its root; `tradetalks help templates` lists the keys.

# The language's own name, for the switcher between editions.
language-name = English

## Every page (base.html)
skip-link = Skip to the content
nav-main = Main
nav-search = Search
nav-languages = Languages
language-untranslated = { $language } (no translation of this page: its home page)
footer-note = { $site }. Every figure on this site names its source and the date it was last checked.

## Pages and sections
byline = By
published = Published { $date }
updated = updated { $date }
reading-time = { $minutes ->
    [one] { $minutes } min read
   *[other] { $minutes } min read
}
contents = Contents
key-figures = Key figures
key-facts = Key facts
key-facts-caption = Each fact with its source and the date it was last checked
fact = Fact
item = Item
value = Value
source-as-of = Source, as of
block-caption = { $label }, each with its source and the date it was last checked
historic = (historic)
updates = Updates
corrections = { $count ->
    [one] Correction
   *[other] Corrections
}
filed-under = Filed under
more-in-section = More in this section
previous = Previous
next = Next

## Figures and sources, wherever they are shown
source = Source: { $source }
source-and-date = Source: { $source }, as of { $date }
source-list-item = { $source }, as of { $date }
as-of = As of { $date }
sources = Sources:
no-value = no value
source-number = source { $number }
download-csv = Download this table (CSV)
chart-figures = { $caption }: the figures
not-stated = Not stated
yes = Yes
no = No
list-pair = { $first } and { $second }
chart-description = { $kind ->
    [stacked] Stacked bar chart
    [diverging] Diverging bar chart
    [dot] Dot plot
    [range] Range plot
   *[bar] Horizontal bar chart
} of { $series } by { $by }, { $count ->
    [one] { $count } row
   *[other] { $count } rows
}.
chart-extremes = Highest: { $highest } at { $highest-value }; lowest: { $lowest } at { $lowest-value }.
chart-table-follows = The same figures follow as a table.
step-description = Step chart of { $label } from { $from } to { $to }, { $count ->
    [one] one line
   *[other] { $count } lines
}.
step-series = { $series }: from { $first } to { $last }.
step-series-flat = { $series }: { $first } throughout.
line-description = Line chart of { $label } from { $from } to { $to }, { $count ->
    [one] one line
   *[other] { $count } lines
}.
changes-caption = { $what }: what changed between { $from } and { $to }
changes-none = { $what }: nothing changed between { $from } and { $to }.
change-what = Change
change-new = new
change-gone = gone
change-up = up
change-down = down

map-description = Map of { $what } by country: { $count ->
    [one] one country has a value
   *[other] { $count } countries have a value
}, from { $lowest } ({ $lowest-names }) to { $highest } ({ $highest-names }).
map-no-data = No data
map-country-value = { $country }: { $value }
map-in-group = { $country }: { $value } (as part of { $group })
map-bin = { $from } to under { $to }
map-bin-below = Under { $to }
map-bin-above = { $from } or more
map-bin-all = { $from } to { $to }
map-country = Country
map-credit = Map outlines: Natural Earth.
map-legend = Legend
map-not-drawn = Not drawn on this map (no outline of their own at this scale): { $countries }.
map-figures = The figures as a table

heat-note = Shading: the darker the cell, the higher the figure (in dark mode, the brighter).
share = Share
share-embed = Embed code: paste it into your page
share-preview = See the embedded version
share-svg = Download as SVG
share-png = Download as PNG
share-csv = Download the data (CSV)
share-metadata = its sources and dates, as CSVW metadata
embed-credit = From { $site }: { $page }

## Timelines
timeline-past = Past
timeline-now = Now
timeline-upcoming = Upcoming
timeline-as-of = Past and upcoming as of { $date }.

## Notes
note-caution = Caution
note-correction = Correction
note-context = Context

## Taxonomies
page-count = { $count ->
    [one] { $count } page
   *[other] { $count } pages
}
list-page-of = list page { $number } of { $count }
taxonomy-empty = No page uses this taxonomy yet.
taxonomy-description = { $taxonomy }: every term used on this site, with its pages.
term-description = Pages filed under { $term } in { $taxonomy }.
term-title = { $taxonomy }: { $term }
list-pages = List pages
newer-pages = Newer pages
older-pages = Older pages

## The 404 page
not-found-title = Page not found
not-found-text = There is no page at this address. It may have moved, or the link may have a typo.
not-found-home = Go to the home page

## Search (search.html and search.js)
search-title = Search
search-description = Search every page of { $site }.
search-label = Words to look for
search-button = Search
search-hint = Pages with every word are listed; the last word may be the start of one.
search-noscript = Search needs JavaScript, which is turned off in this browser. Every page can also be reached from the menu above and from the home page.
search-unavailable = Search is not available right now (its index did not load). Try again later.
search-nothing = Nothing to look for in { $query }: type a word of two or more letters (not one like “the”), or one character of Japanese, Chinese or Korean.
search-none = No results for { $query }.
search-results = { $count ->
    [one] { $count } result for { $query }.
   *[other] { $count } results for { $query }.
}
search-best = The best { $shown } of { $count } results for { $query }.

## Sortable tables (tables.js)
sorted-by = Sorted by { $column }, { $direction }
sorted-ascending = ascending
sorted-descending = descending
spark-heading = { $column } over time
spark-step = { $value } from { $date }
spark-separator = { "; " }
facet-description = One panel of the chart “{ $caption }”.
