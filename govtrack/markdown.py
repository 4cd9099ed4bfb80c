"""Markdown for minutes and notes, rendered without raw HTML.

markdown-it-py's js-default preset leaves HTML out (the commonmark preset
would pass <script> through), and nh3 cleans what remains as a second wall.
"""

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("js-default", {"linkify": False, "typographer": False})


def render(text: str) -> Markup:
    """Safe HTML of Markdown text."""
    html = _md.render(text or "")
    return Markup(nh3.clean(html, link_rel="noopener noreferrer nofollow"))  # noqa: S704
