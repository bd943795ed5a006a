"""The archive browser's Flask app: routes, safety checks and the pages' language.

Flask (with Jinja2, autoescaping on) because it is maintained, small, synchronous like the
readers it calls (pyarrow, warcio), and its development server is enough for one user on a
loopback port; see docs/browser.md.

Safety, for every request:
- only GET and HEAD (405 otherwise): nothing here writes into the archive;
- on a loopback bind the Host header must name the loopback address (a DNS-rebinding page
  cannot talk to the app); on any other bind a token is required (`?token=` once, then an
  HttpOnly SameSite=Strict cookie, or `Authorization: Bearer`);
- every snapshot id, table name, kind and key is checked against what the archive holds before
  it becomes a path (no traversal);
- archived text only ever reaches a page through Jinja's autoescape;
- a Content-Security-Policy without any script, with frames allowed only from the replay
  (pywb) origin, and `frame-ancestors 'none'`.
"""

from __future__ import annotations

import hmac
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import (
    Flask,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    send_file,
)
from markupsafe import Markup

from audit.diff import ARTICLE_FIELDS, DOCUMENT_FIELDS, DiffError
from audit.history import HistoryError, closest, parse_when, url_captures
from audit.state import StateError
from browser import data
from browser.i18n import LANGUAGES, choose_language, format_day, format_time, translate

LOOPBACK_NAMES = ("127.0.0.1", "::1", "localhost")
TOKEN_COOKIE = "pa_token"
LANG_COOKIE = "lang"
_TS = re.compile(r"^\d{14}$")
_SNAPSHOT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_HOST_NAME = re.compile(r"^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])$")


def is_loopback(host: str) -> bool:
    """Only the usual loopback names count: any other address (even 127.0.0.2, which a
    container may forward) was asked for explicitly, so it gets a token."""
    return host in LOOPBACK_NAMES


def replay_link(url: str | None, when: Any) -> str | None:
    """The app's replay page for the capture of `url` at `when` (datetime, ISO or digits)."""
    if not url or not str(url).lower().startswith(("http://", "https://")):
        return None
    if hasattr(when, "strftime"):
        ts = when.strftime("%Y%m%d%H%M%S")
    else:
        ts = "".join(c for c in str(when or "") if c.isdigit())[:14]
    return "/replay?" + urlencode({"url": url, "ts": ts})


def create_app(archive: Path, *, replay_base: str | None = None, host: str = "127.0.0.1",
               port: int = 8500, token: str | None = None, verify: bool = True,
               replay_port: int | None = None) -> Flask:
    """The app over `archive`. `replay_base` is pywb's origin (None: replay is off);
    `replay_port`, when replay is served to other machines (browser/replay_proxy.py), the port
    of the replay origin on the host name the browser used."""
    archive = Path(archive)
    app = Flask(__name__)
    app.config.update(ARCHIVE=archive, REPLAY_BASE=replay_base, HOST=host, PORT=port,
                      TOKEN=token, MAX_CONTENT_LENGTH=0)
    if not is_loopback(host) and not token:
        raise ValueError("a token is required when the app does not bind a loopback address")
    verifier = data.Verifier(archive) if verify else None
    if verifier is not None:
        verifier.start()
    app.extensions["verifier"] = verifier
    cache: dict[str, Path] = {}  # the WACZ folder, made on the first download

    # Every string printed by a template is NFC (Vietnamese text from any source renders and
    # compares alike); autoescape stays on for every template.
    def finalize(value: Any) -> Any:
        if isinstance(value, Markup):
            return Markup(unicodedata.normalize("NFC", str(value)))
        if isinstance(value, str):
            return unicodedata.normalize("NFC", value)
        return value

    app.jinja_env.finalize = finalize

    def replay_origin() -> str | None:
        if replay_base is None or replay_port is None:
            return replay_base
        name = request.host
        if not name.endswith("]") and ":" in name:
            name = name.rsplit(":", 1)[0]
        if not _HOST_NAME.match(name):
            name = f"[{host}]" if ":" in host else host
        return f"{request.scheme}://{name}:{replay_port}"

    @app.before_request
    def guard() -> Response | None:
        if request.method not in ("GET", "HEAD"):
            abort(405)
        if is_loopback(host):
            allowed = {f"{h}:{port}" for h in ("127.0.0.1", "localhost", "[::1]")}
            if request.host not in allowed:
                abort(403)
        else:
            given = (request.args.get("token") or request.cookies.get(TOKEN_COOKIE)
                     or _bearer(request.headers.get("Authorization")))
            if not given or not hmac.compare_digest(given.encode(), token.encode()):
                abort(401)
            if request.args.get("token"):
                # Trade the token in the address for a cookie, and drop it from the address
                # (so it is not left in history or in a Referer).
                args = {k: v for k, v in request.args.items() if k != "token"}
                resp = redirect(request.path + (f"?{urlencode(args)}" if args else ""))
                resp.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict")
                return resp
        g.lang = choose_language(request.cookies.get(LANG_COOKIE), request.accept_languages)
        return None

    @app.after_request
    def headers(resp: Response) -> Response:
        frames = replay_origin() or "'none'"  # only the replay (pywb) origin may be framed
        resp.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'self'; img-src 'self'; "
            f"frame-src {frames}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        resp.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @app.context_processor
    def helpers() -> dict[str, Any]:
        lang = getattr(g, "lang", "vi")
        return {"t": lambda key: translate(key, lang), "lang": lang, "languages": LANGUAGES,
                "fmt_time": lambda v, seconds=False: format_time(v, lang, seconds),
                "fmt_day": lambda v: format_day(v, lang), "replay_link": replay_link,
                "here": request.full_path.rstrip("?") if request else "/",
                "size": _size}

    @app.errorhandler(data.NotFound)
    def not_found(exc: Exception) -> tuple[str, int]:
        return render_template("error.html", title=translate("not_found", g.lang),
                               message=str(exc)), 404

    @app.errorhandler(404)
    def not_found_404(exc: Exception) -> tuple[str, int]:
        lang = getattr(g, "lang", "vi")
        return render_template("error.html", title=translate("not_found", lang),
                               message=request.path), 404

    @app.errorhandler(400)
    def bad_request(exc: Exception) -> tuple[str, int]:
        return render_template("error.html", title=translate("bad_request", g.lang),
                               message=getattr(exc, "description", "")), 400

    def snapshot_id(value: str) -> str:
        if not _SNAPSHOT.match(value or ""):
            abort(404)
        return value

    @app.get("/")
    def index() -> str:
        groups = data.portals(archive)
        return render_template("index.html", portals=groups)

    @app.get("/lang/<code>")
    def switch_language(code: str) -> Response:
        if code not in LANGUAGES:
            abort(404)
        target = request.args.get("next") or "/"
        # Only a path on this app: never `//host` or a scheme (no open redirect).
        if not target.startswith("/") or target.startswith("//") or "\\" in target:
            target = "/"
        resp = redirect(target)
        resp.set_cookie(LANG_COOKIE, code, samesite="Lax", max_age=3600 * 24 * 365)
        return resp

    @app.get("/portal/<portal>")
    def portal(portal: str) -> str:
        rows = data.timeline(archive, portal, app.extensions["verifier"])
        return render_template("portal.html", portal=portal, rows=rows)

    @app.get("/snapshot/<sid>")
    def snapshot(sid: str) -> str:
        snap = data.get_snapshot(archive, snapshot_id(sid))
        rejects, n_rejects = data.rejects(snap)
        prev = data.previous_closed(archive, snap)
        return render_template(
            "snapshot.html", snap=snap, portal=data.portal_of(snap),
            stats=snap.manifest.get("stats") or {}, datasets=data.datasets(snap),
            pages=data.pages_by_type(snap), rejects=rejects, n_rejects=n_rejects,
            previous=prev, verify=(app.extensions["verifier"].status(sid)
                                   if app.extensions["verifier"] else None))

    @app.get("/snapshot/<sid>/pages")
    def snapshot_pages(sid: str) -> str:
        snap = data.get_snapshot(archive, snapshot_id(sid))
        page_type = request.args.get("type") or None
        status = request.args.get("status")
        if status is not None and not status.isdigit():
            abort(400, description="status must be a number")
        start = request.args.get("start", "0")
        if not start.isdigit():
            abort(400, description="start must be a number")
        rows, total = data.pages_list(snap, page_type, int(status) if status else None,
                                      int(start))
        args = {k: v for k, v in (("type", page_type), ("status", status)) if v}
        more = None
        if int(start) + len(rows) < total:
            more = "?" + urlencode({**args, "start": int(start) + data.PAGE_SIZE})
        return render_template("pages.html", snap=snap, rows=rows, total=total,
                               page_type=page_type, status=status, start=int(start),
                               more=more)

    @app.get("/snapshot/<sid>/quality")
    def quality(sid: str) -> str:
        from audit.quality import CHECKS, QualityError

        snap = data.get_snapshot(archive, snapshot_id(sid))
        try:
            report = data.quality(archive, snap)
        except QualityError as exc:
            raise data.NotFound(str(exc)) from None
        return render_template("quality.html", snap=snap, report=report, checks=CHECKS)

    @app.get("/snapshot/<sid>/datasets/<name>")
    def dataset(sid: str, name: str) -> Response:
        path = data.dataset_file(archive, snapshot_id(sid), name)
        mime = "text/csv; charset=utf-8" if name.endswith(".csv") else \
            "application/vnd.apache.parquet"
        return send_file(path, mimetype=mime, as_attachment=True,
                         download_name=f"{sid}-{name}")

    @app.get("/snapshot/<sid>/wacz")
    def wacz(sid: str) -> Response:
        from archive.wacz import write_wacz

        snap = data.get_snapshot(archive, snapshot_id(sid))
        if snap.status != "closed":
            raise data.NotFound(f"snapshot {sid} is {snap.status}: only closed snapshots "
                                f"are packaged")
        if "wacz" not in cache:
            cache["wacz"] = Path(tempfile.mkdtemp(prefix="portal-archive-wacz-"))
        out = cache["wacz"] / f"{sid}.wacz"
        if not out.is_file():  # packaged once, outside the archive (which stays read-only)
            write_wacz(snap.path, out)
        return send_file(out, mimetype="application/wacz+zip", as_attachment=True,
                         download_name=f"{sid}.wacz")

    @app.get("/item/<kind>/<int:key>")
    def item(kind: str, key: int) -> str:
        history = data.item_history(archive, kind, key)
        return render_template("item.html", item=history)

    def captures_of(url: str) -> list:
        """Every capture of `url` (as `history` lists them), or a 404 page."""
        try:
            captures = url_captures(archive, url)
        except HistoryError as exc:
            raise data.NotFound(str(exc)) from None
        if not captures:
            raise data.NotFound(f"no capture of {url}")
        return captures

    @app.get("/url")
    def url_history() -> str:
        url = request.args.get("u", "")
        if not url.lower().startswith(("http://", "https://")) or len(url) > 4000:
            abort(400, description="give an http(s) URL: /url?u=http://…")
        captures = captures_of(url)
        return render_template("url.html", url=url, captures=captures)

    @app.get("/diff")
    def diff() -> str:
        closed = [s for s in data.list_snapshots(archive) if s.status == "closed"]
        ids = [s.snapshot_id for s in closed]
        a, b = request.args.get("a"), request.args.get("b")
        kind, fld = request.args.get("kind") or "", request.args.get("field") or ""
        # (`captures=1`: what A and B themselves captured, as `diff --captures` and the
        # timeline's counts; else the portal's state, as `portal-archive diff`.)
        captures = request.args.get("captures") == "1"
        phrase = " ".join((request.args.get("phrase") or "").split())
        fields = sorted(set(ARTICLE_FIELDS) | set(DOCUMENT_FIELDS))
        if kind and kind not in data.KINDS:
            abort(400, description=f"unknown kind {kind!r}")
        if fld and fld not in fields:
            abort(400, description=f"unknown field {fld!r}")
        if not a and not b and len(ids) >= 2:
            a, b = ids[-2], ids[-1]
        body = None
        if a and b:
            if a not in ids or b not in ids:
                raise data.NotFound("both snapshots must be closed snapshots of this archive")
            try:
                result = data.diff(archive, a, b, states=not captures)
            except DiffError as exc:
                raise data.NotFound(str(exc)) from None
            except StateError as exc:  # (B before A, or snapshots of two portals)
                abort(400, description=str(exc))
            if phrase:
                from audit.phrase import PhraseError, mark_phrase

                try:
                    mark_phrase(result, phrase)
                except PhraseError as exc:
                    abort(400, description=str(exc).replace("--phrase", "phrase"))
            body = report_context(filter_diff(result, kind, fld))
        return render_template("diff.html", ids=ids, a=a, b=b, kind=kind, field=fld,
                               fields=fields, body=body, phrase=phrase, captures=captures)

    @app.get("/replay")
    def replay() -> str:
        url = request.args.get("url", "")
        ts = request.args.get("ts", "")
        if not url.lower().startswith(("http://", "https://")) or not _TS.match(ts):
            abort(400, description="replay needs an http(s) url and a timestamp")
        captures = captures_of(url)
        # The capture pywb will show (the nearest to `ts`), so the banner gives its real time.
        capture = closest(captures, parse_when(ts.ljust(14, "0")))
        origin = replay_origin()
        src = f"{origin}/archive/{capture.timestamp}/{url}" if origin else None
        return render_template("replay.html", url=url, ts=capture.timestamp, src=src,
                               capture=capture)

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return redirect("/static/favicon.svg", 301)

    @app.get("/report.css")
    def report_css() -> Response:
        # The diff report's own style sheet, so the embedded report looks as the file does.
        from audit.diff_report import _CSS

        return Response(_CSS, mimetype="text/css")

    from browser.search_pages import bp as search_pages

    app.register_blueprint(search_pages)  # /search, /search/timeline (browser/search_pages.py)

    app.extensions["cleanup"] = lambda: [shutil.rmtree(p, ignore_errors=True)
                                         for p in cache.values()]
    return app


def report_context(diff: dict[str, Any]) -> dict[str, Any]:
    """What templates/diff_report.html needs: the diff, its removed items split as
    `audit.diff_report` splits them (deleted from the portal / not captured in B), and the
    report's shortening of long unchanged runs."""
    from audit.diff_report import _shorten
    from browser.i18n import MESSAGES

    deleted = [r for r in diff["removed"] if r.get("deleted", r["reason"] != "not_captured")]
    missing = [r for r in diff["removed"] if r not in deleted]
    return {"report": diff, "deleted": deleted, "missing": missing, "shorten": _shorten,
            "known": MESSAGES, "marked": marked_field}


def marked_field(change: dict[str, Any], phrase: str) -> Markup:
    """A field's change with the phrase's occurrences `<mark>`ed, as the HTML report file
    renders it (audit.diff_report: escaped there, words and marks only, no text to translate)."""
    from audit.diff_report import _html_diff

    return Markup(_html_diff("", change, phrase))


def filter_diff(diff: dict[str, Any], kind: str, fld: str) -> dict[str, Any]:
    """The diff restricted to one kind of item and/or to changes of one field."""
    if not kind and not fld:
        return diff

    def keep(item: dict[str, Any]) -> bool:
        return not kind or item["kind"] == kind

    changed = []
    for item in diff["changed"]:
        if not keep(item) or (fld and fld not in item["fields"]):
            continue
        if fld:
            item = {**item, "fields": [fld],
                    "changes": {fld: item.get("changes", {}).get(fld, {})}}
        changed.append(item)
    out = {**diff, "changed": changed,
           "added": [] if fld else [i for i in diff["added"] if keep(i)],
           "removed": [] if fld else [i for i in diff["removed"] if keep(i)]}
    return out


def _bearer(header: str | None) -> str | None:
    if header and header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


def _size(n: int | None) -> str:
    if n is None:
        return "—"
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"

