"""The theme requisites: small CSS and JavaScript files and the logo, per theme."""

from __future__ import annotations

from replica import media

CSS_FILES = ("font-awesome.min.css", "bootstrap.min.css", "style.css", "style.responsive.css",
             "news.css")
JS_FILES = ("jquery.min.js", "language-vi.js", "global.js", "news.js", "main.js",
            "bootstrap.min.js")
IMAGE_FILES = ("logo.png",)


def css(theme: str, name: str) -> str:
    return (f"/* {theme}/{name} (replica) */\n"
            "body{font-family:Arial,Helvetica,sans-serif;font-size:13px;color:#333}\n"
            ".news_column .panel-body h3{font-size:15px;font-weight:700}\n"
            ".temp-breadcrumbs{display:none}\n#timeoutsess{display:none}\n"
            f".logo{{background:url(../images/logo.png) no-repeat}}\n")


def js(theme: str, name: str) -> str:
    return (f"/* {theme}/{name} (replica) */\n"
            "function nv_open_browse(a,b,c,d,e){return window.open(a,b,'width='+c+',height='+d+"
            "','+e)}\nfunction timeoutsesscancel(){document.getElementById('timeoutsess')"
            ".style.display='none'}\nfunction sendrating(a,b,c){}\n")


def image(theme: str, name: str) -> bytes:
    return media.png(f"{theme}/{name}", 100, 100)
