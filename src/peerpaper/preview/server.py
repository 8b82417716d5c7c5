"""The preview's web server: the pages, and a Server-Sent Events channel that tells open tabs to reload (or to
replace the one section an edit changed).

Python's own `http.server` (a ThreadingHTTPServer): the preview serves two pages from memory and one event
stream to one author's browser. SSE (EventSource) rather than a WebSocket because the channel only ever
goes one way and the browser reconnects by itself; a stdlib server rather than an ASGI stack (starlette
and uvicorn) because the rest of the preview is blocking code (pandoc, the build) that would otherwise have
to be bridged into an event loop, and stopping must not wait for open event streams to drain.

Only the pages it was given are served: no file from the disk, no directory listing. A request whose Host
header is not the address it listens on is refused (a web page elsewhere cannot read the preview through
a rebound DNS name).
"""

from __future__ import annotations

import html
import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EVENTS = "/_preview/events"
STATE = "/_preview/state"
ERROR_ID = "paper-preview-error"

_SCRIPT = """<script>(() => {{
  let shown = {version};
  const events = new EventSource("{events}");
  events.addEventListener("version", (e) => {{ if (Number(e.data) !== shown) location.reload(); }});
  events.addEventListener("patch", (e) => {{
    const patch = JSON.parse(e.data);
    if (patch.from !== shown) return location.reload();
    if (patch.page === {name}) {{
      const section = document.getElementById(patch.id);
      if (!section || section.tagName !== "SECTION") return location.reload();
      section.outerHTML = patch.html;
    }}
    shown = patch.to;
  }});
}})();</script>"""
_BANNER = ('<div id="{id}" role="alert" style="position:sticky;top:0;z-index:2147483647;margin:0;'
           'padding:.6em 1em;background:#fff0f0;color:#6b0000;border-bottom:3px solid #b00020;'
           'font:15px/1.4 system-ui,sans-serif;white-space:pre-wrap">'
           '<strong>paper preview: the last build failed; below is the last good page.</strong>\n{lines}</div>')
_WAITING = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>paper preview</title></head>'
            '<body><main><h1>paper preview</h1><p>{what}</p></main></body></html>')


class State:
    """What is served: page bytes by name, the current errors, and a version that changes with either."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        self.errors: list[str] = []
        self.version = 0
        self.patch: dict | None = None  # how a tab showing the version before goes to this one without a reload
        self.stopping = False
        self.changed = threading.Condition()

    def update(self, pages: dict[str, bytes] | None = None, errors: list[str] | None = None,
               patch: tuple[str, str, str] | None = None) -> bool:
        """Replace pages and/or the error lines; a new version (and a reload) only when something differs.

        `patch` (page, section id, the section's HTML): the one change from the version before, which an open
        tab makes in place of a reload; only when no error banner is shown before or after."""
        with self.changed:
            new_pages = {**self.pages, **(pages or {})}
            new_errors = list(dict.fromkeys(errors)) if errors is not None else self.errors
            if new_pages == self.pages and new_errors == self.errors:
                return False
            changed = [name for name in new_pages if new_pages[name] != self.pages.get(name)]
            patched = patch is not None and changed == [patch[0]] and not self.errors and not new_errors
            self.patch = ({"from": self.version, "to": self.version + 1, "page": patch[0], "id": patch[1],
                           "html": patch[2]} if patched else None)
            self.pages, self.errors = new_pages, new_errors
            self.version += 1
            self.changed.notify_all()
            return True

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()

    def page(self, name: str) -> bytes | None:
        """The page as served: the last good bytes, the error banner on top, the reload script at the end."""
        with self.changed:
            body, errors, version = self.pages.get(name), list(self.errors), self.version
        if body is None:
            if name not in ("paper.html", "slides.html"):
                return None
            what = "Building: the page appears here when the first build is done." if not errors else ""
            body = _WAITING.format(what=what).encode()
        text = body.decode("utf-8")
        if errors:
            banner = _BANNER.format(id=ERROR_ID, lines="\n".join(html.escape(e) for e in errors))
            text = _after_body_tag(text, banner)
        script = _SCRIPT.format(version=version, events=EVENTS, name=json.dumps(name))
        at = text.rfind("</body>")
        text = text[:at] + script + text[at:] if at >= 0 else text + script
        return text.encode("utf-8")


def _after_body_tag(text: str, insert: str) -> str:
    start = text.find("<body")
    end = text.find(">", start) if start >= 0 else -1
    return text[:end + 1] + insert + text[end + 1:] if end >= 0 else insert + text


class Server:
    """ThreadingHTTPServer on `host:port` (0: any free port) serving `state`; `stop()` ends it."""

    def __init__(self, state: State, host: str, port: int) -> None:
        self.state = state
        handler = type("Handler", (_Handler,), {"state": state})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True  # an open event stream must not hold up the exit
        self.host, self.port = self.httpd.server_address[:2]
        if host not in ("0.0.0.0", "::", ""):
            handler.allowed_hosts = {f"{h}:{self.port}" for h in (host, "localhost", "127.0.0.1", "[::1]")}
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="preview-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.state.stop()
        if self.thread.is_alive():  # shutdown() waits for serve_forever forever, even one that has ended
            self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    state: State
    allowed_hosts: set[str] | None = None  # None: listening on every address, any name may reach it
    server_version = "paper-preview"

    def log_message(self, format, *args):  # noqa: A002 - the quiet default: no line per request
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.allowed_hosts is not None and self.headers.get("Host") not in self.allowed_hosts:
            self.send_error(HTTPStatus.FORBIDDEN, "unexpected Host header")
            return
        path = self.path.split("?", 1)[0]
        if path == "/":
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", "/paper.html")
            self.end_headers()
        elif path == EVENTS:
            self._events()
        elif path == STATE:
            with self.state.changed:
                body = json.dumps({"version": self.state.version, "errors": self.state.errors,
                                   "pages": sorted(self.state.pages)}).encode()
            self._send(body, "application/json")
        elif (page := self.state.page(path.lstrip("/"))) is not None:
            self._send(page, "text/html; charset=utf-8")
        else:
            self.send_error(HTTPStatus.NOT_FOUND)

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        """The current version at once, then each new one; a comment every 15 s keeps proxies quiet."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state, sent = self.state, None
        try:
            while True:
                with state.changed:
                    if state.version == sent and not state.stopping:
                        state.changed.wait(timeout=15)
                    if state.stopping:
                        return
                    version, patch = state.version, state.patch
                if version == sent:
                    message = ": still here\n\n"
                elif patch and patch["from"] == sent and patch["to"] == version:
                    message = f"event: patch\ndata: {json.dumps(patch)}\n\n"
                else:
                    message = f"event: version\ndata: {version}\n\n"
                self.wfile.write(b"retry: 300\n" + message.encode())
                self.wfile.flush()
                sent = version
        except (BrokenPipeError, ConnectionResetError):
            return
