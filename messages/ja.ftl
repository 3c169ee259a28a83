# The words tradetalks' built-in templates, shortcodes and scripts write, in Japanese.
# Same keys, in the same order, as en.ftl (which explains the Fluent syntax). Japanese has
# only the CLDR plural category `other`, so counts need no select. Values quoted by the
# scripts ({ $query }) arrive with their quotation marks: add none around them.

# The language's own name, for the switcher between editions.
language-name = 日本語

## Every page (base.html)
skip-link = 本文へスキップ
nav-main = メインメニュー
nav-search = 検索
nav-languages = 言語
language-untranslated = { $language }（このページは未翻訳のため、トップページへ）
footer-note = { $site }。このサイトの数値にはすべて、出典と最終確認日を記載しています。

## Pages and sections
byline = 文：
published = { $date }公開
updated = { $date }更新
reading-time = { $minutes }分で読めます
contents = 目次
key-figures = 主要データ
key-facts = 基本情報
key-facts-caption = 各項目の出典と最終確認日
fact = 事項
item = 項目
value = 内容
source-as-of = 出典（確認日）
block-caption = { $label }（各項目の出典と最終確認日）
historic = （当時）
updates = 更新履歴
corrections = 訂正
filed-under = 分類
more-in-section = このセクションの他の記事
previous = 前へ
next = 次へ

## Figures and sources, wherever they are shown
source = 出典：{ $source }
source-and-date = 出典：{ $source }（{ $date }時点）
source-list-item = { $source }（{ $date }時点）
as-of = { $date }時点
sources = 出典：
no-value = データなし
source-number = 出典{ $number }
download-csv = この表をダウンロード（CSV）
chart-figures = { $caption }：数値一覧
not-stated = 記載なし
yes = はい
no = いいえ
list-pair = { $first }と{ $second }
chart-description = { $by }ごとの{ $series }を示す{ $kind ->
    [stacked] 積み上げ横棒グラフ
    [diverging] 左右に分かれた横棒グラフ
    [dot] ドットプロット
    [range] 範囲プロット
   *[bar] 横棒グラフ
}（{ $count }項目）。
chart-extremes = 最も高いのは{ $highest }の{ $highest-value }、最も低いのは{ $lowest }の{ $lowest-value }。
chart-table-follows = 同じ数値を次の表に示します。
step-description = { $from }から{ $to }までの{ $label }の推移を示す階段グラフ（{ $count }本）。
step-series = { $series }：{ $first }から{ $last }へ。
step-series-flat = { $series }：期間中ずっと{ $first }。
line-description = { $from }から{ $to }までの{ $label }の推移を示す折れ線グラフ（{ $count }本）。
changes-caption = { $from }から{ $to }までの{ $what }の変化
changes-none = { $what }：{ $from }から{ $to }までに変化はありません。
change-what = 変化
change-new = 新規
change-gone = 終了
change-up = 上昇
change-down = 低下

map-description = 国・地域別の{ $what }の地図。値のある国・地域は{ $count }で、最低は{ $lowest }（{ $lowest-names }）、最高は{ $highest }（{ $highest-names }）。
map-no-data = データなし
map-country-value = { $country }：{ $value }
map-in-group = { $country }：{ $value }（{ $group }として）
map-bin = { $from }以上{ $to }未満
map-bin-below = { $to }未満
map-bin-above = { $from }以上
map-bin-all = { $from }～{ $to }
map-country = 国・地域
map-credit = 地図の輪郭：Natural Earth
map-legend = 凡例
map-not-drawn = この地図に輪郭が描かれていない国・地域：{ $countries }
map-figures = 数値を表で見る

heat-note = 色の濃さ：色が濃いほど数値が大きいことを示します（ダークモードでは明るいほど）。
share = 共有
share-embed = 埋め込みコード（ページに貼り付けてください）
share-preview = 埋め込み表示を見る
share-svg = SVGでダウンロード
share-png = PNGでダウンロード
share-csv = データをダウンロード（CSV）
share-metadata = 出典と日付（CSVWメタデータ）
embed-credit = { $site }：{ $page }より

## Timelines
timeline-past = 過去
timeline-now = 現在
timeline-upcoming = 今後
timeline-as-of = 過去・今後の区分は{ $date }時点のものです。

## Notes
note-caution = 注意
note-correction = 訂正
note-context = 背景

## Taxonomies
page-count = { $count }ページ
list-page-of = 一覧の{ $number }ページ目（全{ $count }ページ）
taxonomy-empty = この分類を使っているページはまだありません。
taxonomy-description = このサイトで使われている{ $taxonomy }の一覧と、それぞれのページです。
term-description = { $taxonomy }「{ $term }」に分類されたページです。
term-title = { $taxonomy }：{ $term }
list-pages = ページ送り
newer-pages = 新しい記事
older-pages = 古い記事

## The 404 page
not-found-title = ページが見つかりません
not-found-text = このアドレスにページはありません。ページが移動したか、リンクのURLに誤りがある可能性があります。
not-found-home = トップページへ

## Search (search.html and search.js)
search-title = 検索
search-description = { $site }の全ページを検索します。
search-label = 検索語
search-button = 検索
search-hint = 入力したすべての語を含むページを表示します。最後の語は途中まででも検索できます。
search-noscript = 検索にはJavaScriptが必要ですが、このブラウザでは無効になっています。すべてのページには、上のメニューやトップページからも移動できます。
search-unavailable = 現在、検索を利用できません（索引を読み込めませんでした）。しばらくしてから再度お試しください。
search-nothing = { $query }には検索できる語がありません。日本語・中国語・韓国語は1文字から、英語などは2文字以上の語（“the”のようなごく一般的な語は除く）を入力してください。
search-none = { $query }に一致するページはありませんでした。
search-results = { $query }の検索結果は{ $count }件です。
search-best = { $query }の検索結果{ $count }件のうち、上位{ $shown }件を表示しています。

## Sortable tables (tables.js)
sorted-by = { $column }の{ $direction }で並べ替えました
sorted-ascending = 昇順
sorted-descending = 降順
spark-heading = { $column }の推移
spark-step = { $date }から{ $value }
spark-separator = 、
facet-description = グラフ「{ $caption }」の一枚。
