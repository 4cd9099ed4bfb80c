"""URLs built once per table give what url_for gives, row by row."""

from govtrack.markdown import render
from govtrack.web.urls import url_per_row


def test_a_url_per_row_is_url_for_of_the_row(web_app):
    with web_app.test_request_context("/", base_url="http://example.org/sub"):
        from flask import url_for

        edit = url_per_row("meetings.item_edit", "item_id", key="m 1/x")
        assert edit(42) == url_for("meetings.item_edit", key="m 1/x", item_id=42)
        assert edit(7) == "/sub/meetings/m%201/x/agenda/items/7/edit"
        action = url_per_row("workgroups.action_detail", "key")
        for key in ("a-1", "a b", "ü", "a/b", "a?b#c%"):
            assert action(key) == url_for("workgroups.action_detail", key=key)


def test_remembered_markdown_is_the_same_safe_html():
    text = "**Bold** <script>alert(1)</script>"
    first, again = render(text), render(text)
    assert first == again and "<strong>Bold</strong>" in first and "<script>" not in first
    long = "x" * 5000 + " **end**"
    assert "<strong>end</strong>" in render(long)
