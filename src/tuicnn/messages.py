"""Messages shared between tabs. The main screen is the go-between that forwards them."""

from __future__ import annotations

from textual.message import Message


class ModelsChanged(Message):
    """The workspace's models were replaced (a run finished or was cancelled, or a file loaded).

    Posted by the tab that changed them; the main screen tells the other tabs.
    """
