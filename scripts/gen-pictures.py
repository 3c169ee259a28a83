#!/usr/bin/env python3
"""Two copies of one site of N pages, each page a bundle showing one photograph-like JPEG
(3,000 × 2,000 pixels, as a newsroom's picture desk exports them): one for tradetalks, one for
Hugo with a render hook that makes the same copies (480, 960 and 1,600 pixels wide, WebP and
JPEG, srcset and sizes). Used by scripts/bench-pictures.sh.

    usage: python3 scripts/gen-pictures.py N OUT_DIR     (needs Pillow: pip install Pillow)
"""

import os
import random
import sys

from PIL import Image, ImageDraw, ImageFilter

HUGO_HOOK = """{{- $img := .Page.Resources.Get .Destination -}}
{{- $sizes := "(min-width: 44rem) 40rem, calc(100vw - 2rem)" -}}
{{- $webp := slice -}}{{- $jpg := slice -}}{{- $last := "" -}}
{{- range slice 480 960 1600 -}}
  {{- if le . $img.Width -}}
    {{- $w := $img.Resize (printf "%dx webp q80" .) -}}
    {{- $j := $img.Resize (printf "%dx jpg q80" .) -}}
    {{- $webp = $webp | append (printf "%s %dw" $w.RelPermalink .) -}}
    {{- $jpg = $jpg | append (printf "%s %dw" $j.RelPermalink .) -}}
    {{- $last = $j -}}
  {{- end -}}
{{- end -}}
<picture><source type="image/webp" srcset="{{ delimit $webp ", " }}" sizes="{{ $sizes }}"><img src="{{ $last.RelPermalink }}" srcset="{{ delimit $jpg ", " }}" sizes="{{ $sizes }}" width="{{ $last.Width }}" height="{{ $last.Height }}" alt="{{ .Text }}" loading="lazy" decoding="async"></picture>
"""

HUGO_SINGLE = """<!doctype html><html><head><title>{{ .Title }}</title></head><body><main>{{ .Content }}</main></body></html>
"""


def picture(seed, width=3000, height=2000):
    random.seed(seed)
    img = Image.new("RGB", (width, height))
    d = ImageDraw.Draw(img)
    top = [random.randint(20, 200) for _ in range(3)]
    bottom = [random.randint(20, 200) for _ in range(3)]
    for y in range(height):
        t = y / height
        d.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    for _ in range(400):
        x, y = random.randrange(width), random.randrange(height)
        w, h = random.randint(20, 400), random.randint(20, 300)
        colour = tuple(random.randint(0, 255) for _ in range(3))
        d.rectangle([x, y, x + w, y + h], fill=colour)
    for _ in range(20000):
        x, y = random.randrange(width), random.randrange(height)
        d.line([(x, y), (x + random.randint(2, 20), y)], fill=tuple(random.randint(0, 255) for _ in range(3)))
    return img.filter(ImageFilter.GaussianBlur(1.2))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    tt, hugo = os.path.join(out, "tradetalks"), os.path.join(out, "hugo")
    write(os.path.join(tt, "tradetalks.toml"), 'title = "Pictures"\nbase_url = "https://example.org/"\nsocial_cards = false\nsearch = false\n')
    write(os.path.join(tt, "content/_index.md"), "---\ntitle: Pictures\n---\nA page per picture.\n")
    write(os.path.join(hugo, "hugo.toml"), 'title = "Pictures"\nbaseURL = "https://example.org/"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n[imaging]\nquality = 80\nresampleFilter = "CatmullRom"\n')
    write(os.path.join(hugo, "layouts/_default/_markup/render-image.html"), HUGO_HOOK)
    write(os.path.join(hugo, "layouts/_default/single.html"), HUGO_SINGLE)
    write(os.path.join(hugo, "layouts/_default/list.html"), HUGO_SINGLE)
    write(os.path.join(hugo, "layouts/index.html"), HUGO_SINGLE)
    for i in range(n):
        body = f"Port number {i}.\n\n![The quay of port {i}](quay.jpg)\n"
        write(os.path.join(tt, f"content/ports/p{i}/index.md"), f"---\ntitle: Port {i}\n---\n{body}")
        write(os.path.join(hugo, f"content/ports/p{i}/index.md"), f"---\ntitle: Port {i}\n---\n{body}")
        img = picture(i)
        for site in (tt, hugo):
            img.save(os.path.join(site, f"content/ports/p{i}/quay.jpg"), quality=85)


if __name__ == "__main__":
    main()
