"""kb serve: build the site, serve it on 127.0.0.1, and rebuild when claims/ changes."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import io
import multiprocessing
import multiprocessing.process
import os
import re
import signal
import socket
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.commands import EXIT_ERRORS, EXIT_OK
from kb.commands.build import add_output_options, add_site_options, build_once, options, up_to_date
from kb.errors import KbError
from kb.procs import die_with_parent
from kb.site.options import MARKER, BuildOptions

if TYPE_CHECKING:
    from kb.site.memory import Memory

HOST = "127.0.0.1"
"""Only this machine: the server is for previewing."""
ALLOWED_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_FINGERPRINT = re.compile(rb'"fingerprint":"([0-9a-f]*)"')
LIVE_SCRIPT = "/__kb/live.js"
LIVE_VERSION = "/__kb/version"
LIVE_JS = b"""// kb serve: reload this page once the site is rebuilt (kb serve only; never published).
(() => {
  let seen = document.currentScript.dataset.version;  // the version this page was served from
  const poll = async () => {
    try {
      const answer = await fetch("/__kb/version", { cache: "no-store" });
      if (answer.ok) {
        const version = await answer.text();
        if (version && version !== seen) return location.reload();  // "": a build is under way
      }
    } catch (e) {
      // kb serve stopped or is starting again: keep asking
    }
    setTimeout(poll, 1000);
  };
  poll();
})();
"""
"""What a page served while watching loads: it asks for the site's version every second and
reloads when it changes. A file of the site's own origin, as the pages' Content-Security-Policy
allows no inline script."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="build the site, serve it locally and rebuild on changes",
        description=f"Build the site, serve it on http://{HOST}:PORT/ and rebuild it whenever a "
        "file under the claims folder changes; an open page reloads itself once its site is rebuilt "
        "(served pages load a small script for it; the files in --out stay as built). Stop with Ctrl-C.",
    )
    add_site_options(p)
    p.add_argument(
        "--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)"
    )
    p.add_argument(
        "--interval",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="how often to look for changes (default: 1)",
    )
    p.add_argument(
        "--no-watch", dest="watch", action="store_false", help="serve without rebuilding on changes"
    )
    add_output_options(p, "log every request, and print the time of each build step")
    p.set_defaults(run=run)


class Handler(SimpleHTTPRequestHandler):
    """The site's files and nothing else: no folder listings, no hidden files (the build manifest),
    no other Host than this machine's names (a page elsewhere cannot reach it by DNS rebinding)."""

    verbose = False
    live = False
    """Pages reload themselves when the site is rebuilt (kb serve watching)."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        if self.verbose:
            super().log_message(format, *args)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def send_head(self) -> Any:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        if host not in ALLOWED_HOSTS:
            self.send_error(421, "kb serve answers only to 127.0.0.1 and localhost")
            return None
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if "\x00" in path or "%00" in path or any(p.startswith(".") for p in path.split("/") if p):
            self.send_error(404)
            return None
        if self.live and path == LIVE_SCRIPT:
            return self._send(LIVE_JS, "text/javascript; charset=utf-8")
        if self.live and path == LIVE_VERSION:
            return self._send(self._version().encode(), "text/plain; charset=utf-8")
        try:
            page = self._page(path) if self.live else None
            return self._send(page, "text/html; charset=utf-8") if page else super().send_head()
        except ValueError:  # a path the file system cannot take
            self.send_error(400)
            return None

    def _version(self) -> str:
        """The site's version: the fingerprint of its inputs in its manifest (kb/site/fingerprint.py),
        which a build writes once its files are in place; "" while a build updates it in place."""
        try:
            with open(os.path.join(self.directory, MARKER), "rb") as f:
                head = f.read(1024)
        except OSError:
            return ""
        found = _FINGERPRINT.search(head)
        return found.group(1).decode("ascii") if found else ""

    def _page(self, path: str) -> bytes | None:
        """The HTML page at `path` (the request's, without query or fragment), with the live script
        added; None for anything else (the standard handler answers it: other files, redirects, 404)."""
        file = self.translate_path(path)
        if os.path.isdir(file):
            if not path.endswith("/"):
                return None
            file = os.path.join(file, "index.html")
        if not file.endswith(".html"):
            return None
        version = self._version()  # before the page: a build landing in between makes it reload
        try:
            with open(file, "rb") as f:
                body = f.read()
        except OSError:
            return None
        tag = f'<script src="{LIVE_SCRIPT}" data-version="{version}" defer></script></head>'
        return body.replace(b"</head>", tag.encode(), 1)

    def _send(self, body: bytes, kind: str) -> io.BytesIO:
        self.send_response(200)
        self.send_header("Content-type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def list_directory(self, path: Any) -> None:
        self.send_error(404)
        return None


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder`, with its modification time and size."""
    out: dict[str, tuple[int, int]] = {}
    if not folder.is_dir():
        return out
    for path in folder.rglob("*"):
        try:
            st = path.stat()
        except OSError:
            continue
        if path.is_file():
            out[str(path)] = (st.st_mtime_ns, st.st_size)
    return out


def watch(
    opts: BuildOptions,
    interval: float,
    verbose: bool,
    quiet: bool = False,
    last: dict[str, tuple[int, int]] | None = None,
    memory: Memory | None = None,
) -> None:
    """Rebuild whenever the claims folder changes from `last`, until interrupted.

    Runs in the main thread of a process that has no other thread (the server is a process of
    its own), so a rebuild may fork its workers as `kb build` does."""
    from kb.site.memory import Memory  # here: kb's other commands need none of the site's code

    last = snapshot(opts.claims) if last is None else last
    memory = memory if memory is not None else Memory()  # what each build keeps for the next
    while True:
        time.sleep(interval)
        now = snapshot(opts.claims)
        if now == last:
            continue
        last = now
        if not quiet:
            print("kb serve: claims changed; rebuilding", file=sys.stderr)
        build_once(opts, verbose=verbose, quiet=quiet, memory=memory)


class Answering:
    """The server answering requests beside the builds: a process of its own where the platform
    can fork, so that rebuilds may fork their workers as `kb build` does; elsewhere a thread, and
    then rebuilds render in this process (forking beside a running thread is unsafe)."""

    def __init__(self, server: ThreadingHTTPServer, fork: bool | None = None) -> None:
        self.server = server
        self.forked = "fork" in multiprocessing.get_all_start_methods() if fork is None else fork
        self.runner: multiprocessing.process.BaseProcess | threading.Thread
        if self.forked:
            context = multiprocessing.get_context("fork")
            self.runner = context.Process(target=_serve, args=(server,), daemon=True)
        else:
            self.runner = threading.Thread(target=server.serve_forever, args=(0.5,), daemon=True)
        self.runner.start()
        if self.forked:
            server.socket.close()  # the server process listens; this one only builds

    def wait(self) -> None:
        while self.runner.is_alive():  # in short joins: Ctrl-C reaches a waiting main thread everywhere
            self.runner.join(0.5)

    def stop(self) -> None:
        if isinstance(self.runner, threading.Thread):
            self.server.shutdown()
            self.server.server_close()
        else:
            self.runner.terminate()
        self.runner.join(timeout=10)


def warm() -> None:
    """Load once what every rebuild needs, before the first edit: kb's site code, the compiled
    templates, and matplotlib with its fonts (inherited by the process each rebuild forks to draw
    its charts). A first build that found the site up to date loaded none of it."""
    import kb.site.build  # noqa: F401 - the rebuild's code: checking, blame, rendering
    from kb.site import drawing, writer

    env = writer.environment()
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)
    drawing.preload()


def _serve(server: ThreadingHTTPServer) -> None:
    """The server process: answers requests until its parent stops it or ends."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()


def _port_taken(port: int) -> str | None:
    """Why this machine's port cannot be listened on ("Address already in use"), or None when it
    can (0: any free one can)."""
    if port == 0:
        return None
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def run(args: argparse.Namespace) -> int:
    opts = options(args)
    if args.port != 0 and opts.base_url == "http://127.0.0.1:8000/" and args.port != 8000:
        opts.base_url = f"http://{HOST}:{args.port}/"
    taken = _port_taken(args.port)  # before the first build, which may take a while
    if taken is not None:
        print(f"kb serve: cannot listen on {HOST}:{args.port}: {taken}; try --port 0", file=sys.stderr)
        return EXIT_ERRORS
    # A line for each rebuild as it happens, also to a file or a pipe (`kb serve | tee log`).
    with contextlib.suppress(AttributeError, ValueError):
        sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    baseline = snapshot(opts.claims)  # before the first build: an edit made during it is rebuilt
    from kb.site.memory import Memory, remember

    memory = Memory()  # what each build keeps for the next
    current = opts.reuse and up_to_date(opts, quiet=args.quiet) is not None
    built = current or build_once(opts, verbose=args.verbose, quiet=args.quiet, memory=memory) is not None
    if not built and not opts.out.is_dir():
        print("kb serve: no site to serve", file=sys.stderr)
        return EXIT_ERRORS
    handler = functools.partial(Handler, directory=str(opts.out.resolve()))
    Handler.verbose = args.verbose
    Handler.live = args.watch
    try:
        server = ThreadingHTTPServer((HOST, args.port), handler)
    except OSError as exc:
        print(f"kb serve: cannot listen on {HOST}:{args.port}: {exc.strerror}; try --port 0", file=sys.stderr)
        return EXIT_ERRORS
    port = server.server_address[1]
    answering = Answering(server)
    if not answering.forked:
        opts = dataclasses.replace(opts, workers=1)

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # stop as on Ctrl-C: a rebuild cut short leaves the previous site

    previous = signal.signal(signal.SIGTERM, terminate)
    try:  # from here a Ctrl-C stops the server too, whatever is under way
        if args.watch:
            warm()
            if current:  # no build filled the memory: the first edit's rebuild would do everything
                with contextlib.suppress(KbError, OSError):  # then it does: nothing is lost
                    remember(opts, memory)
        print(
            f"kb serve: serving {opts.out}/ at http://{HOST}:{port}/"
            + (f" and rebuilding on changes in {opts.claims}/" if args.watch else "")
            + " (Ctrl-C stops)",
            flush=True,
        )
        if args.watch:
            watch(opts, args.interval, args.verbose, args.quiet, baseline, memory)
        else:
            answering.wait()
    except KeyboardInterrupt:
        print("kb serve: stopped", file=sys.stderr)
    finally:
        signal.signal(signal.SIGTERM, previous)
        answering.stop()
    return EXIT_OK
