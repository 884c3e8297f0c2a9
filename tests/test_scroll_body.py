"""ScrollBody: its own focus style still works, and focus no longer restyles its contents."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.css.stylesheet import Stylesheet
from textual.widgets import Button, Label

from tuicnn.widgets.scroll_body import ScrollBody

# Every test here records Stylesheet.apply, Textual's internal restyling step (not part of
# its documented API): written against textual==8.2.8 (the test extra's pin).
pytestmark = pytest.mark.textual_private


class BodyApp(App[None]):
    CSS = """
    ScrollBody { background: blue; }
    ScrollBody:focus { background: red; }
    """

    def compose(self) -> ComposeResult:
        yield Button("elsewhere", id="elsewhere")
        with ScrollBody(id="body"):
            for i in range(20):
                yield Label(f"line {i}", classes="line")


@pytest.fixture
def restyled(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every node Textual re-applies CSS to, in order."""
    nodes: list = []
    original = Stylesheet.apply

    def apply(self, node, *args, **kwargs):
        nodes.append(node)
        return original(self, node, *args, **kwargs)

    monkeypatch.setattr(Stylesheet, "apply", apply)
    return nodes


async def test_focus_style_of_the_body_applies(restyled: list) -> None:
    app = BodyApp()
    async with app.run_test() as pilot:
        body = app.query_one(ScrollBody)
        assert body.styles.background.rgb == (0, 0, 255)
        body.focus()
        await pilot.pause()
        assert body.styles.background.rgb == (255, 0, 0)
        app.query_one("#elsewhere").focus()
        await pilot.pause()
        assert body.styles.background.rgb == (0, 0, 255)


async def test_focus_and_blur_do_not_restyle_the_contents(restyled: list) -> None:
    app = BodyApp()
    async with app.run_test() as pilot:
        body = app.query_one(ScrollBody)
        lines = set(app.query(".line"))
        restyled.clear()
        body.focus()
        await pilot.pause()
        app.query_one("#elsewhere").focus()
        await pilot.pause()
        assert body in restyled
        assert not lines.intersection(restyled)
