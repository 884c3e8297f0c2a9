"""Explore tab (placeholder until the layer explorer lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static


class ExploreTab(Vertical):
    """Shows one digit flowing through the CNN."""

    BINDINGS = []

    def compose(self) -> ComposeResult:
        yield Static("Explore tab: coming next.")

    def models_changed(self) -> None:
        """The workspace's models were replaced elsewhere: redraw with the new CNN."""
