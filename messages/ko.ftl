# The words tradetalks' built-in templates, shortcodes and scripts write, in Korean.
# Same keys, in the same order, as en.ftl (which explains the Fluent syntax). Korean has
# only the CLDR plural category `other`, so counts need no select. Values quoted by the
# scripts ({ $query }) arrive with their quotation marks: add none around them.

# The language's own name, for the switcher between editions.
language-name = 한국어

## Every page (base.html)
skip-link = 본문 바로가기
nav-main = 주 메뉴
nav-search = 검색
nav-languages = 언어
language-untranslated = { $language } (이 페이지는 번역되지 않아 홈으로 이동)
footer-note = { $site }. 이 사이트의 모든 수치에는 출처와 최종 확인일을 밝혀 두었습니다.

## Pages and sections
byline = 글:
published = 입력 { $date }
updated = 수정 { $date }
reading-time = { $minutes }분 분량
contents = 목차
key-figures = 주요 수치
key-facts = 주요 사실
key-facts-caption = 사실별 출처와 최종 확인일
fact = 사항
item = 항목
value = 내용
source-as-of = 출처(기준일)
block-caption = { $label }: 항목별 출처와 최종 확인일
historic = (당시)
updates = 업데이트 내역
corrections = 정정
filed-under = 분류
more-in-section = 이 섹션의 다른 글
previous = 이전
next = 다음

## Figures and sources, wherever they are shown
source = 출처: { $source }
source-and-date = 출처: { $source }, { $date } 기준
source-list-item = { $source }({ $date } 기준)
as-of = { $date } 기준
sources = 출처:
no-value = 자료 없음
source-number = 출처 { $number }
download-csv = 이 표 내려받기(CSV)
chart-figures = { $caption }: 수치
not-stated = 밝히지 않음
yes = 예
no = 아니요
list-pair = { $first } 및 { $second }
chart-description = { $by }별 { $series }의 { $kind ->
    [stacked] 누적 가로 막대 그래프
    [diverging] 양방향 가로 막대 그래프
    [dot] 점 그래프
    [range] 범위 그래프
   *[bar] 가로 막대 그래프
}({ $count }개 항목).
chart-extremes = 가장 높은 값은 { $highest }의 { $highest-value }, 가장 낮은 값은 { $lowest }의 { $lowest-value }.
chart-table-follows = 같은 수치를 아래 표로 제공합니다.
step-description = { $from }부터 { $to }까지 { $label }의 변화를 보여 주는 계단형 그래프({ $count }개 선).
step-series = { $series }: { $first }에서 { $last }(으)로.
step-series-flat = { $series }: 기간 내내 { $first }.
line-description = { $from }부터 { $to }까지 { $label }의 변화를 보여 주는 꺾은선 그래프({ $count }개 선).
changes-caption = { $from }부터 { $to }까지 { $what }의 변화
changes-none = { $what }: { $from }부터 { $to }까지 달라진 것이 없습니다.
change-what = 변화
change-new = 신규
change-gone = 종료
change-up = 상승
change-down = 하락

map-description = 국가별 { $what } 지도: 값이 있는 국가는 { $count }개이며, 최저 { $lowest }({ $lowest-names }), 최고 { $highest }({ $highest-names })입니다.
map-no-data = 자료 없음
map-country-value = { $country }: { $value }
map-in-group = { $country }: { $value }({ $group } 소속)
map-bin = { $from } 이상 { $to } 미만
map-bin-below = { $to } 미만
map-bin-above = { $from } 이상
map-bin-all = { $from }~{ $to }
map-country = 국가
map-credit = 지도 윤곽: Natural Earth
map-legend = 범례
map-not-drawn = 이 지도에 윤곽이 그려지지 않은 곳: { $countries }
map-figures = 수치를 표로 보기

heat-note = 음영: 칸의 색이 짙을수록 수치가 큽니다(다크 모드에서는 밝을수록).
share = 공유
share-embed = 퍼가기 코드: 페이지에 붙여 넣으세요
share-preview = 퍼간 모습 보기
share-svg = SVG로 내려받기
share-png = PNG로 내려받기
share-csv = 데이터 내려받기(CSV)
share-metadata = 출처와 날짜(CSVW 메타데이터)
embed-credit = 출처: { $site } – { $page }

## Timelines
timeline-past = 과거
timeline-now = 현재
timeline-upcoming = 예정
timeline-as-of = 과거와 예정은 { $date } 기준입니다.

## Notes
note-caution = 주의
note-correction = 정정
note-context = 배경

## Taxonomies
page-count = { $count }개 페이지
list-page-of = 목록 { $count }쪽 중 { $number }쪽
taxonomy-empty = 아직 이 분류를 사용하는 페이지가 없습니다.
taxonomy-description = 이 사이트의 { $taxonomy } 전체 목록과 해당 페이지입니다.
term-description = { $taxonomy } 중 ‘{ $term }’에 분류된 페이지입니다.
term-title = { $taxonomy }: { $term }
list-pages = 페이지 이동
newer-pages = 최신 글
older-pages = 이전 글

## The 404 page
not-found-title = 페이지를 찾을 수 없습니다
not-found-text = 이 주소에는 페이지가 없습니다. 페이지가 옮겨졌거나 링크 주소가 잘못되었을 수 있습니다.
not-found-home = 홈으로 이동

## Search (search.html and search.js)
search-title = 검색
search-description = { $site }의 모든 페이지를 검색합니다.
search-label = 검색어
search-button = 검색
search-hint = 모든 검색어가 들어 있는 페이지를 보여 줍니다. 마지막 단어는 앞부분만 입력해도 됩니다.
search-noscript = 검색에는 자바스크립트가 필요하지만 이 브라우저에서는 꺼져 있습니다. 모든 페이지는 위 메뉴와 홈에서도 찾아갈 수 있습니다.
search-unavailable = 지금은 검색을 이용할 수 없습니다(검색 색인을 불러오지 못했습니다). 잠시 후 다시 시도해 주세요.
search-nothing = { $query }에는 검색할 단어가 없습니다. 한글·한자·일본어는 한 글자 이상, 영어 등은 두 글자 이상인 단어(‘the’처럼 흔한 단어 제외)를 입력해 주세요.
search-none = { $query }에 대한 검색 결과가 없습니다.
search-results = { $query } 검색 결과 { $count }건
search-best = { $query } 검색 결과 { $count }건 중 상위 { $shown }건

## Sortable tables (tables.js)
sorted-by = { $column } 기준 { $direction } 정렬
sorted-ascending = 오름차순
sorted-descending = 내림차순
spark-heading = { $column } 추이
spark-step = { $date }부터 { $value }
spark-separator = { "; " }
facet-description = 그래프 “{ $caption }”의 한 칸.
