# The words tradetalks' built-in templates, shortcodes and scripts write, in Hindi.
# Same keys, in the same order, as en.ftl (which explains the Fluent syntax). Hindi's CLDR
# plural categories are `one` (0 and 1) and `other`; the nouns used here (पृष्ठ, परिणाम,
# मिनट) keep one form in both, but the selects stay so a site can reword either. Values
# quoted by the scripts ({ $query }) arrive with their quotation marks: add none around them.

# The language's own name, for the switcher between editions.
language-name = हिन्दी

## Every page (base.html)
skip-link = सीधे मुख्य सामग्री पर जाएँ
nav-main = मुख्य मेनू
nav-search = खोज
nav-languages = भाषाएँ
language-untranslated = { $language } (इस पृष्ठ का अनुवाद नहीं है: मुखपृष्ठ पर जाएँ)
footer-note = { $site }। इस साइट पर हर आंकड़े के साथ उसका स्रोत और पिछली बार जाँच की तारीख दी गई है।

## Pages and sections
byline = लेखक:
published = प्रकाशित: { $date }
updated = अपडेट: { $date }
reading-time = { $minutes ->
    [one] { $minutes } मिनट में पढ़ें
   *[other] { $minutes } मिनट में पढ़ें
}
contents = विषय-सूची
key-figures = प्रमुख आंकड़े
key-facts = मुख्य तथ्य
key-facts-caption = हर तथ्य, उसके स्रोत और पिछली जाँच की तारीख के साथ
fact = तथ्य
item = मद
value = मान
source-as-of = स्रोत, तारीख
block-caption = { $label }, हर एक के स्रोत और पिछली जाँच की तारीख के साथ
historic = (तत्कालीन)
updates = अपडेट
corrections = सुधार
filed-under = श्रेणियाँ
more-in-section = इस खंड में और
previous = पिछला
next = अगला

## Figures and sources, wherever they are shown
source = स्रोत: { $source }
source-and-date = स्रोत: { $source }, { $date } की स्थिति
source-list-item = { $source }, { $date } तक
as-of = { $date } की स्थिति
sources = स्रोत:
no-value = आंकड़ा उपलब्ध नहीं
source-number = स्रोत { $number }
download-csv = यह तालिका डाउनलोड करें (CSV)
chart-figures = { $caption }: आंकड़े
not-stated = उल्लेख नहीं
yes = हाँ
no = नहीं
list-pair = { $first } और { $second }
chart-description = { $by } के अनुसार { $series } का { $kind ->
    [stacked] स्टैक्ड बार चार्ट
    [diverging] दो-तरफ़ा बार चार्ट
    [dot] डॉट प्लॉट
    [range] रेंज प्लॉट
   *[bar] क्षैतिज बार चार्ट
}, { $count ->
    [one] { $count } पंक्ति
   *[other] { $count } पंक्तियाँ
}।
chart-extremes = सबसे अधिक: { $highest }, { $highest-value }; सबसे कम: { $lowest }, { $lowest-value }।
chart-table-follows = यही आंकड़े आगे तालिका में दिए गए हैं।
step-description = { $from } से { $to } तक { $label } का सीढ़ीनुमा चार्ट, { $count ->
    [one] एक रेखा
   *[other] { $count } रेखाएँ
}।
step-series = { $series }: { $first } से { $last }।
step-series-flat = { $series }: पूरी अवधि में { $first }।
line-description = { $from } से { $to } तक { $label } का रेखा चार्ट, { $count ->
    [one] एक रेखा
   *[other] { $count } रेखाएँ
}।
changes-caption = { $from } और { $to } के बीच { $what } में क्या बदला
changes-none = { $what }: { $from } और { $to } के बीच कुछ नहीं बदला।
change-what = बदलाव
change-new = नया
change-gone = समाप्त
change-up = बढ़ा
change-down = घटा

map-description = देश के अनुसार { $what } का नक्शा: { $count } देशों का मान उपलब्ध है, न्यूनतम { $lowest } ({ $lowest-names }) से अधिकतम { $highest } ({ $highest-names }) तक।
map-no-data = आंकड़ा उपलब्ध नहीं
map-country-value = { $country }: { $value }
map-in-group = { $country }: { $value } ({ $group } के भाग के रूप में)
map-bin = { $from } से { $to } से कम
map-bin-below = { $to } से कम
map-bin-above = { $from } या अधिक
map-bin-all = { $from } से { $to }
map-country = देश
map-credit = नक्शे की रेखाएँ: Natural Earth
map-legend = संकेत
map-not-drawn = इस नक्शे पर जिनकी अपनी रेखा नहीं है: { $countries }
map-figures = आंकड़े तालिका के रूप में

heat-note = रंग: खाना जितना गहरा, आंकड़ा उतना बड़ा (डार्क मोड में जितना चमकीला)।
share = साझा करें
share-embed = एम्बेड कोड: इसे अपने पेज में चिपकाएँ
share-preview = एम्बेड किया गया रूप देखें
share-svg = SVG के रूप में डाउनलोड करें
share-png = PNG के रूप में डाउनलोड करें
share-csv = आंकड़े डाउनलोड करें (CSV)
share-metadata = स्रोत और तिथियाँ, CSVW मेटाडेटा के रूप में
embed-credit = { $site } से: { $page }

## Timelines
timeline-past = पूर्व
timeline-now = वर्तमान
timeline-upcoming = आगामी
timeline-as-of = पूर्व और आगामी का निर्धारण { $date } की स्थिति के अनुसार।

## Notes
note-caution = सावधान
note-correction = सुधार
note-context = पृष्ठभूमि

## Taxonomies
page-count = { $count ->
    [one] { $count } पृष्ठ
   *[other] { $count } पृष्ठ
}
list-page-of = सूची का पृष्ठ { $number } (कुल { $count })
taxonomy-empty = अभी तक किसी पृष्ठ में इस वर्गीकरण का उपयोग नहीं हुआ है।
taxonomy-description = इस साइट पर प्रयुक्त सभी { $taxonomy }, उनके पृष्ठों के साथ।
term-description = { $taxonomy } में { $term } के अंतर्गत पृष्ठ।
term-title = { $taxonomy }: { $term }
list-pages = सूची के पृष्ठ
newer-pages = नए पृष्ठ
older-pages = पुराने पृष्ठ

## The 404 page
not-found-title = पृष्ठ नहीं मिला
not-found-text = इस पते पर कोई पृष्ठ नहीं है। हो सकता है वह कहीं और चला गया हो, या लिंक में कोई गलती हो।
not-found-home = मुखपृष्ठ पर जाएँ

## Search (search.html and search.js)
search-title = खोज
search-description = { $site } के सभी पृष्ठों में खोजें।
search-label = खोजने के लिए शब्द
search-button = खोजें
search-hint = जिन पृष्ठों में सभी शब्द हों, वे दिखाए जाते हैं; आखिरी शब्द अधूरा भी लिखा जा सकता है।
search-noscript = खोज के लिए JavaScript ज़रूरी है, जो इस ब्राउज़र में बंद है। हर पृष्ठ ऊपर के मेनू और मुखपृष्ठ से भी खोला जा सकता है।
search-unavailable = खोज अभी उपलब्ध नहीं है (इसका इंडेक्स लोड नहीं हो सका)। कृपया बाद में फिर कोशिश करें।
search-nothing = { $query } में खोजने लायक कुछ नहीं है: दो या अधिक अक्षरों का कोई शब्द लिखें (“the” जैसा आम अंग्रेज़ी शब्द नहीं), या जापानी, चीनी या कोरियाई का एक अक्षर।
search-none = { $query } के लिए कोई परिणाम नहीं मिला।
search-results = { $count ->
    [one] { $query } के लिए { $count } परिणाम।
   *[other] { $query } के लिए { $count } परिणाम।
}
search-best = { $query } के { $count } परिणामों में से शीर्ष { $shown }।

## Sortable tables (tables.js)
sorted-by = { $column } के अनुसार { $direction } क्रम में लगाया गया
sorted-ascending = आरोही
sorted-descending = अवरोही
spark-heading = समय के साथ { $column }
spark-step = { $date } से { $value }
spark-separator = { "; " }
facet-description = चार्ट “{ $caption }” का एक हिस्सा।
