#!/usr/bin/env python3
"""Edit-to-reload latency of `tradetalks serve` (standard library only).

    python3 scripts/serve-latency.py SITE [--bin target/release/tradetalks] [--edits 10]
                                          [--file content/countries/japan.md] [--url-path /countries/japan/]

Starts `BIN serve --root SITE --port 0 --as-of 2025-04-20`, waits for its
"Serving ... at http://127.0.0.1:PORT/" line, subscribes to the live-reload stream
`/__tradetalks/events` (Server-Sent Events over plain HTTP/1.1: `event: reload`, or
`event: state` with a build version, see EventStream), then --edits times:

  1. rewrites the page's Markdown in place with one prose line changed (a unique token appended),
  2. measures from just before the write until the reload event's `event:` line arrives,
  3. GETs the page and checks the token is served (if a reload arrives before the edited text is
     served, the script waits for the next one and counts the early reload),
  4. pauses (--pause) and counts any further reloads the one edit caused.

With --title the edit appends the token to the front matter's `title:` instead, and each edit
must also show in the page's section list and that section's feed (`atom.xml`) once the page
itself is served: a title edit is correct only when every list showing it is.

It prints each latency with the rebuild time the server logged for it, then median, min and max;
restores the file (and waits for the server to serve it again); stops the server with SIGINT and
checks that it exits 0. Exit status: 0 when every edit was served and the server exited 0.

The page is --file (relative to SITE; default: the first page, not `_index.md`, in sorted path
order under content/). Its URL is derived as tradetalks does (`content/a b/c.md` -> `/a-b/c/`,
`NAME/index.md` -> `/NAME/`, a front-matter `slug:` replaces the last segment), or --url-path.
"""
import argparse
import http.client
import json
import os
import queue
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import unicodedata

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVENTS_PATH = "/__tradetalks/events"
SERVING = re.compile(r"Serving .* at (http://([^/:\s]+|\[[^\]]+\]):(\d+)/)")
REBUILT = re.compile(r"(?:rebuilt|updated) in (\d+) ms")
BUILT = re.compile(r"Built the site in (\d+) ms")


def slugify(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def ignored(name):
    return (name.startswith(".") or name.startswith("#") or name.endswith("~")
            or name.endswith((".swp", ".swx", ".tmp")))


def first_page(site):
    content = os.path.join(site, "content")
    found = []
    for dirpath, dirnames, filenames in os.walk(content):
        dirnames[:] = [d for d in dirnames if not ignored(d)]
        for f in filenames:
            if f.endswith(".md") and f != "_index.md" and not ignored(f):
                rel = os.path.relpath(os.path.join(dirpath, f), content)
                found.append(rel.split(os.sep))
    if not found:
        sys.exit("error: no page under %s (pass --file)" % content)
    return os.path.join("content", *min(found))


def front_slug(text):
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for line in lines[1:]:
        if line.strip() == "---":
            break
        m = re.match(r"slug:\s*(.+?)\s*$", line)
        if m:
            return m.group(1).strip("\"'")
    return None


def url_path(rel_file, text):
    """The site path of a content file, as tradetalks maps it."""
    parts = rel_file.replace(os.sep, "/").split("/")
    if parts[0] != "content":
        sys.exit("error: %s is not under content/ (pass --url-path)" % rel_file)
    parts = parts[1:]
    dirs, name = parts[:-1], parts[-1]
    segs = [slugify(d) for d in dirs]
    if name in ("_index.md", "index.md"):
        if name == "index.md" and front_slug(text) and segs:
            segs[-1] = front_slug(text)
    else:
        segs.append(front_slug(text) or slugify(name[:-3]))
    return "/" + "".join(s + "/" for s in segs if s)


def body_line(lines):
    """Index of the first line of body prose (not front matter, code, a heading, a list, a table,
    a quote, a footnote, a shortcode or a setext underline's title), or None."""
    i = 0
    if lines and lines[0].strip() == "---":
        i = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), len(lines)) + 1
    fence = None
    for k in range(i, len(lines)):
        line = lines[k]
        s = line.strip()
        if fence:
            if s.startswith(fence):
                fence = None
            continue
        if s.startswith("```") or s.startswith("~~~"):
            fence = s[:3]
            continue
        if not s or line.startswith(("    ", "\t")) or not s[0].isalpha():
            continue
        nxt = lines[k + 1].strip() if k + 1 < len(lines) else ""
        if re.fullmatch(r"=+|-+", nxt):
            continue
        return k
    return None


def title_line(lines):
    """Index of the front matter's `title:` line, or None."""
    if not lines or lines[0].strip() != "---":
        return None
    for k in range(1, len(lines)):
        if lines[k].strip() == "---":
            return None
        if lines[k].startswith("title:"):
            return k
    return None


def retitled(original, k, token):
    """The original text with the token added to the title on line k, inside its quotes."""
    lines = original.split("\n")
    line = lines[k].rstrip()
    if line.endswith(("\"", "'")) and len(line) > len("title: ''"):
        lines[k] = line[:-1] + " " + token + line[-1]
    else:
        lines[k] = line + " " + token
    return "\n".join(lines)


def edited(original, k, token):
    """The original text with one line changed: the token appended to line k (or, when the page
    has no prose line, a new last paragraph)."""
    lines = original.split("\n")
    if k is None:
        return original.rstrip("\n") + "\n\n" + token + "\n"
    lines[k] = lines[k].rstrip() + " " + token
    return "\n".join(lines)


class Server:
    def __init__(self, argv):
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, errors="replace")
        self.lines = queue.Queue()
        self.log = []  # (monotonic time, line)
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stderr:
            line = line.rstrip("\n")
            with self.lock:
                self.log.append((time.monotonic(), line))
            self.lines.put(line)
        self.lines.put(None)

    def wait_serving(self, timeout):
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("no `Serving ... at` line within %.0f s; stderr so far:\n%s" % (
                    timeout, "\n".join(seen)))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError("the server exited (%s) before serving; stderr:\n%s" % (
                    self.proc.wait(), "\n".join(seen)))
            seen.append(line)
            m = SERVING.search(line)
            if m:
                built = next((BUILT.search(s) for s in seen if BUILT.search(s)), None)
                return m.group(1), m.group(2).strip("[]"), int(m.group(3)), (int(built.group(1)) if built else None)

    def rebuilds_between(self, start, end):
        with self.lock:
            return [(t, l) for t, l in self.log if start <= t <= end and REBUILT.search(l)]

    def log_between(self, start, end):
        with self.lock:
            return [l for t, l in self.log if start <= t <= end]

    def stop(self, timeout=15):
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return "no exit within %d s of SIGINT (killed)" % timeout


class EventStream:
    """One Server-Sent Events subscription; a thread timestamps each `event:` line on arrival.

    Two protocols are understood: `event: reload` after a good build and `event: broken` after a
    bad one; or `event: state` with `{"version": N, "error": ...}` on connecting and after every
    build, where a higher version is a reload and an error a broken build. Either way the queue
    receives (time of the `event:` line, "reload" | "broken", data)."""

    def __init__(self, host, port, path, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n"
                           "Cache-Control: no-cache\r\n\r\n" % (path, host, port)).encode())
        self.f = self.sock.makefile("rb")
        status = self.f.readline().decode("latin-1").strip()
        if not re.match(r"HTTP/1\.[01] 200", status):
            raise RuntimeError("GET %s: %s" % (path, status or "no response"))
        headers = {}
        while True:
            line = self.f.readline().decode("latin-1").strip()
            if not line:
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        if "text/event-stream" not in headers.get("content-type", ""):
            raise RuntimeError("GET %s: content-type %r, not text/event-stream" % (path, headers.get("content-type")))
        self.chunked = "chunked" in headers.get("transfer-encoding", "")
        self.sock.settimeout(None)
        self.events = queue.Queue()  # (monotonic time of the `event:` line, name, data)
        self.version = None  # the last build version a `state` event named
        self.protocol = None
        threading.Thread(target=self._run, daemon=True).start()

    def _bytes(self):
        while True:
            if self.chunked:
                size_line = self.f.readline()
                if not size_line:
                    return
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    return
                data = self.f.read(size)
                self.f.readline()  # the CRLF after the chunk
            else:
                data = self.f.read1(65536)
            if not data:
                return
            yield data

    def _run(self):
        buf, name, when, data = b"", None, None, []
        try:
            for chunk in self._bytes():
                now = time.monotonic()
                buf += chunk
                while b"\n" in buf:
                    raw, buf = buf.split(b"\n", 1)
                    line = raw.rstrip(b"\r").decode("utf-8", "replace")
                    if line.startswith("event:"):
                        name, when = line[6:].strip(), now
                    elif line.startswith("data:"):
                        data.append(line[5:].lstrip())
                    elif line == "":
                        if name is not None:
                            self._dispatch(when, name, "\n".join(data))
                        name, when, data = None, None, []
        except OSError:
            pass
        self.events.put((time.monotonic(), None, "stream closed"))

    def _dispatch(self, when, name, data):
        if name != "state":
            self.protocol = self.protocol or "reload"
            self.events.put((when, name, data))
            return
        self.protocol = "state"
        try:
            state = json.loads(data)
            version, error = state.get("version"), state.get("error")
        except (ValueError, AttributeError):
            self.events.put((when, "broken", "unreadable state event: %r" % data))
            return
        if error:
            self.events.put((when, "broken", str(error)))
        elif self.version is not None and version != self.version:
            self.events.put((when, "reload", data))
        self.version = version

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def get(host, port, path, timeout):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cache-Control": "no-cache"})
        r = conn.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def write(path, text, atomic):
    data = text.encode("utf-8")
    if atomic:  # as editors that save through a temporary file do
        tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".latency.tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    else:
        with open(path, "wb") as f:
            f.write(data)


def wait_served(stream, host, port, url, token, present, deadline, timeout):
    """Waits for reload events until the page at `url` contains `token` (or, with
    present=False, no longer does). Returns (time of the reload that served it, early reloads)."""
    early = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise RuntimeError("no reload serving the edit within the timeout (%d early reloads)" % early)
        try:
            when, name, data = stream.events.get(timeout=left)
        except queue.Empty:
            continue
        if name is None:
            raise RuntimeError("the event stream closed")
        if name == "broken":
            raise RuntimeError("the server reported a broken build:\n%s" % data)
        if name != "reload":
            continue
        status, body = get(host, port, url, timeout)
        if status == 200 and (token in body) == present:
            return when, early
        early += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("site", help="the site's folder (holding tradetalks.toml)")
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "release", "tradetalks"),
                    help="tradetalks binary (default: target/release/tradetalks of this repository)")
    ap.add_argument("--file", help="page to edit, relative to SITE (default: the first page)")
    ap.add_argument("--url-path", help="URL path of that page (default: derived from its path)")
    ap.add_argument("--edits", type=int, default=10, help="number of edits (default 10)")
    ap.add_argument("--pause", type=float, default=0.5, help="seconds to wait after each edit is served (default 0.5)")
    ap.add_argument("--timeout", type=float, default=60, help="seconds to wait for one reload (default 60)")
    ap.add_argument("--start-timeout", type=float, default=600, help="seconds to wait for the server to start (default 600)")
    ap.add_argument("--as-of", default="2025-04-20", help="build date passed to serve (default 2025-04-20)")
    ap.add_argument("--atomic", action="store_true", help="save through a temporary file and rename, instead of rewriting in place")
    ap.add_argument("--poll", action="store_true", help="pass --poll to serve")
    ap.add_argument("--grow", action="store_true", help="make every edit change the page's word count (edit n adds n words), not only the first")
    ap.add_argument("--title", action="store_true", help="edit the page's title (front matter) instead of its prose; each edit is then also checked in the section's list, its feed and the sitemap's neighbours")
    ap.add_argument("--verbose", action="store_true", help="print the server's log at the end")
    a = ap.parse_args()
    if a.edits < 1:
        ap.error("--edits must be at least 1")
    site = os.path.abspath(a.site)
    if not os.path.isfile(os.path.join(site, "tradetalks.toml")):
        sys.exit("error: no tradetalks.toml in %s" % site)
    binary = a.bin if os.path.isabs(a.bin) or os.path.exists(a.bin) else os.path.join(REPO, a.bin)
    if not os.access(binary, os.X_OK):
        sys.exit("error: %s is not an executable (pass --bin)" % binary)
    rel = a.file or first_page(site)
    if not os.path.isfile(os.path.join(site, rel)) and os.path.isfile(os.path.join(site, "content", rel)):
        rel = os.path.join("content", rel)
    path = os.path.join(site, rel)
    if not os.path.isfile(path):
        sys.exit("error: no file %s" % path)
    with open(path, "rb") as f:
        original_bytes = f.read()
    original = original_bytes.decode("utf-8")
    url = a.url_path or url_path(rel, original)
    line_no = body_line(original.split("\n"))
    if a.title:
        line_no = title_line(original.split("\n"))
        if line_no is None:
            sys.exit("error: %s has no `title:` line in its front matter" % path)
    # A title shows in the page's section list and feed too: both are checked after each edit.
    lists = [url.rstrip("/").rsplit("/", 1)[0] + "/"] if a.title else []
    lists += [lists[0] + "atom.xml"] if lists else []

    argv = [binary, "serve", "--root", site, "--port", "0", "--as-of", a.as_of] + (["--poll"] if a.poll else [])
    print("machine: %d CPUs (%s), load average %s" % (os.cpu_count(), cpu_model(), " ".join(
        "%.2f" % x for x in os.getloadavg())))
    print("server:  %s" % " ".join(argv))
    started = time.monotonic()
    server = Server(argv)
    stream = None
    results, failures, exit_status = [], [], None
    restored = True
    tag, host, port = "", None, None
    try:
        base, host, port, built_ms = server.wait_serving(a.start_timeout)
        print("serving: %s after %.2f s (server's initial build: %s ms)" % (
            base, time.monotonic() - started, built_ms if built_ms is not None else "?"))
        status, body = get(host, port, url, a.timeout)
        if status != 200:
            raise RuntimeError("GET %s: HTTP %d before any edit: is the URL right? (pass --url-path)" % (url, status))
        print("page:    %s -> %s%s (edit on line %s)" % (rel, base.rstrip("/"), url,
                                                        line_no + 1 if line_no is not None else "end"))
        # Only the lists that show the page before the edit (a paginated list or a feed of
        # the newest pages may not) can be expected to show its new title.
        shown = []
        for page in lists:
            status, body = get(host, port, page, a.timeout)
            if status == 200 and url in body:
                shown.append(page)
        lists = shown
        if a.title:
            print("lists:   %s" % (", ".join(lists) or "none shows the page"))
        stream = EventStream(host, port, EVENTS_PATH, a.timeout)
        tag = "%x" % (int(time.time() * 1000) & 0xFFFFFF)
        for n in range(1, a.edits + 1):
            token = "ttlatency%sx%d" % (tag, n)
            # With --grow, edit n adds n words: the page's word count (in its summary, which
            # lists and neighbours show) changes with every edit.
            if a.title:
                text = retitled(original, line_no, token)
            else:
                text = edited(original, line_no, token + " more" * (n if a.grow else 0))
            restored = False
            t0 = time.monotonic()
            write(path, text, a.atomic)
            try:
                when, early = wait_served(stream, host, port, url, token, True, t0 + a.timeout, a.timeout)
            except RuntimeError as err:
                failures.append("edit %d: %s" % (n, err))
                print("edit %2d: FAILED: %s" % (n, err))
                break
            latency = (when - t0) * 1000
            for page in lists:
                status, body = get(host, port, page, a.timeout)
                if status != 200 or token not in body:
                    failures.append("edit %d: %s does not show the new title (HTTP %d)" % (n, page, status))
            time.sleep(a.pause)
            extra = 0
            while True:
                try:
                    _, name, _ = stream.events.get_nowait()
                    extra += name == "reload"
                except queue.Empty:
                    break
            rebuilds = [int(REBUILT.search(l).group(1)) for _, l in server.rebuilds_between(t0, time.monotonic())]
            results.append(latency)
            notes = []
            if early:
                notes.append("%d reload(s) before the edit was served" % early)
            if extra:
                notes.append("%d more reload(s) after it" % extra)
            print("edit %2d: %8.1f ms  (server rebuilds logged: %s)%s" % (
                n, latency, ", ".join("%d ms" % r for r in rebuilds) or "none",
                "; " + "; ".join(notes) if notes else ""))
    except RuntimeError as err:
        failures.append(str(err))
        print("error: %s" % err)
    finally:
        if not restored or original_bytes != open(path, "rb").read():
            t0 = time.monotonic()
            with open(path, "wb") as f:
                f.write(original_bytes)
            if stream is not None and server.proc.poll() is None:
                try:
                    wait_served(stream, host, port, url, "ttlatency" + tag, False, t0 + a.timeout, a.timeout)
                    print("restored %s; the server serves the original again" % rel)
                except RuntimeError as err:
                    failures.append("after restoring: %s" % err)
                    print("restored %s, but: %s" % (rel, err))
            else:
                print("restored %s" % rel)
        if stream is not None:
            print("events:  %s" % {"state": "`event: state` with build versions",
                                   "reload": "`event: reload`"}.get(stream.protocol, "none seen"))
            stream.close()
        exit_status = server.stop()
        print("server:  exit status %s after SIGINT" % exit_status)
        if a.verbose:
            print("--- server log ---")
            for _, line in server.log:
                print(line)

    if results:
        print("edit-to-reload latency over %d edits: median %.1f ms, min %.1f ms, max %.1f ms" % (
            len(results), statistics.median(results), min(results), max(results)))
    if exit_status != 0:
        failures.append("the server exited with %s, not 0" % exit_status)
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        return 1
    return 0


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
