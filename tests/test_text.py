from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deckgen.kinds import html as text


def _slow(value: str) -> str:
    return text.sanitise(text._markdown().renderInline(value.strip()))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60))
def test_the_plain_text_shortcut_matches_markdown(value: str) -> None:
    stripped = value.strip()
    if stripped.isprintable() and not text._MARKUP.search(stripped):
        assert text.inline(value) == text.inert(_slow(value))


def test_markdown_emphasis_lists_and_links() -> None:
    assert text.inline("a *b* **c**") == "a <em>b</em> <strong>c</strong>"
    assert text.bullet_list(["x", "y"]) == "<ul><li>x</li><li>y</li></ul>"
    assert text.bullet_list([]) == ""
    assert (
        text.inline("[WHO](https://who.int)")
        == '<a href="https://who.int" rel="noopener noreferrer">WHO</a>'
    )


def test_no_script_event_handler_or_javascript_url_survives() -> None:
    for dangerous in (
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[x](javascript:alert(1))",
        "<iframe src='https://example.com'></iframe>",
    ):
        rendered = text.inline(dangerous)
        assert "<script" not in rendered and "<iframe" not in rendered and "<img" not in rendered
        assert 'href="javascript' not in rendered


def test_plain_escapes_verbatim_text() -> None:
    assert text.plain("ST2 <b> & co") == "ST2 &lt;b&gt; &amp; co"
    assert text.plain(None) == ""
