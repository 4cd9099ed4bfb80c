"""Markdown for minutes and notes, rendered without raw HTML.

markdown-it-py's js-default preset leaves HTML out (the commonmark preset
would pass <script> through), and nh3 cleans what remains as a second wall.
"""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("js-default", {"linkify": False, "typographer": False})


def render(text: str) -> Markup:
    """Safe HTML of Markdown text."""
    text = text or ""
    return _render(text) if len(text) <= CACHED_CHARS else _clean(text)


#: texts up to this length are remembered (item notes, most minutes), a few MB at most
CACHED_CHARS = 4000


@lru_cache(maxsize=1024)
def _render(text: str) -> Markup:
    """Remembered by text: a held meeting's notes are shown again and again, unchanged,
    and parsing them was the largest part of its page."""
    return _clean(text)


def _clean(text: str) -> Markup:
    html = _md.render(text)
    return Markup(nh3.clean(html, link_rel="noopener noreferrer nofollow"))  # noqa: S704
