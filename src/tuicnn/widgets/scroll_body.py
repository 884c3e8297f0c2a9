"""A scrolling column that can take the keyboard focus without restyling its contents."""

from __future__ import annotations

from textual.containers import VerticalScroll


class ScrollBody(VerticalScroll):
    """``VerticalScroll`` whose focus changes restyle only itself.

    When a widget gains or loses focus, Textual re-applies the CSS of the widget *and of
    every widget inside it*, in case a rule such as ``Body:focus Label`` applies. A tab's
    scrolling body holds most of the tab (about 60 widgets in the Explore tab), so every
    tab switch paid for restyling all of them twice, once on focus and once on blur: about
    20 ms of a switch whose budget is 50 ms (issue 7).

    Contract: no CSS may style the *contents* of a ``ScrollBody`` by the body's focus
    (``ScrollBody:focus X``); rules on the body itself (``ScrollBody:focus``) still work.
    Nothing in tuicnn does the former, and a test checks the latter.
    """

    def watch_has_focus(self, has_focus: bool) -> None:
        self.app.stylesheet.update_nodes([self], animate=False)
