"""Every text the bot shows comes from a jinja2 template in bot/templates/ (HTML for Telegram)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import jinja2
from markupsafe import Markup

from bot.regions import full_name

TEMPLATES = Path(__file__).resolve().parent / "templates"
_TAG = re.compile(r"</?(b|i|u|code|pre|a)(\s[^>]*)?>")

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
    undefined=jinja2.StrictUndefined,
    # Templates are code: they change with a deploy, not while the bot runs. Without this, every
    # render stats its file to see whether it changed (measured: a tenth of an answer's cost).
    auto_reload=False,
)
_env.globals["full_name"] = full_name
_env.filters["cn_date"] = lambda d: f"{d.year}年{d.month}月{d.day}日"
_env.filters["readable_url"] = unquote  # 行政法规/工伤保险条例 rather than %E8%A1%8C…


def macro_lines(template: str, macro: str, *args) -> list[str]:
    """The non-empty lines a macro of `template` renders: shared lists (materials, next steps)."""
    text = getattr(_env.get_template(f"{template}.j2").module, macro)(*args)
    return [line.strip() for line in str(text).split("\n") if line.strip()]


def label(key: str, /, **context) -> str:
    """A short UI text (button, command description, file name) from labels.j2."""
    value = getattr(_env.get_template("labels.j2").module, key)
    return str(value(**context)) if callable(value) else value


def render(name: str, /, **context) -> str:
    """Telegram HTML for template `name` (without the .j2 suffix)."""
    return _env.get_template(f"{name}.j2").render(**context).strip()


def stream(name: str, /, **context) -> Iterator[str]:
    """Like render(), in pieces as the template renders them (not stripped): a document of
    thousands of pages goes to disk without being held whole in memory."""
    return _env.get_template(f"{name}.j2").generate(**context)


def render_markup(name: str, /, **context) -> str:
    """Like render(), for a template that embeds already-rendered HTML given as `body`."""
    if "body" in context:
        context["body"] = Markup(context["body"])
    return render(name, **context)


def plain(text_html: str) -> str:
    """The same message for a terminal: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", text_html))
