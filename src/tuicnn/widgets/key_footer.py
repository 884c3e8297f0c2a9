"""The footer of the main screen: the keys that work right now, drawn as one line of text.

It replaces Textual's ``Footer`` to make tab switches cheap. ``Footer`` is a container with
a ``FooterKey`` widget per key, and it recomposes them whenever the keys change. Switching
tabs (F2-F6) always changes them, so every switch mounted and styled 5-8 widgets and laid
out the whole screen again: 20-30 ms of a switch whose budget is 50 ms, and the key widgets
slowed start-up too. ``KeyFooter`` has no children: it keeps the visible keys in a tuple,
and when they change it only repaints its own line (no layout, no mounting).

What it keeps from ``Footer``: the keys of ``Screen.active_bindings`` with ``show=True``,
one per action, in the same order; disabled keys (``check_action`` returned None) dimmed;
bindings of a ``Binding.Group`` shown as their keys and the group's description; the
command palette key on the right; a click on a key presses it. What it leaves out: the
compact style and horizontal scrolling.

What it adds: every key stays reachable when the line is too long for the terminal (an 80×24
terminal fits about seven keys). Instead of cropping the line at the right, which hid the
help key and cut words in half, the footer makes room in steps (:func:`fit_items`): shorter
labels (``(also .)`` notes dropped; neighbours such as ``Next example`` and ``Previous
example`` merged into `` n  p Example``), then the palette key dropped, then keys dropped
from the end of the list, the help key kept and relabelled ``? more keys``. So a tab puts its
most useful keys first in ``BINDINGS``, and the help screen (which lists every binding) is
always one key away.
"""

from __future__ import annotations

import re
from itertools import groupby
from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from textual import events
from textual.content import Content, Span
from textual.style import Style
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.screen import Screen


class KeyCap(NamedTuple):
    """One key as the footer shows it."""

    key: str
    """The key a click presses (the first of the binding's keys, e.g. ``question_mark``)."""
    display: str
    """What the footer prints for it (``app.get_key_display``, e.g. ``?``)."""
    enabled: bool
    """False when ``check_action`` returned None: still listed, but dimmed."""
    tooltip: str


class FooterItem(NamedTuple):
    """A key and its description, or the keys of a binding group and the group's name."""

    caps: tuple[KeyCap, ...]
    description: str
    grouped: bool = False
    action: str = ""
    """The binding's action (of the first key): how the footer finds the help key."""

    @property
    def width(self) -> int:
        """Cells the item takes in the footer line (see ``KeyFooter._line``)."""
        keys = sum(cell_len(f" {cap.display} ") for cap in self.caps)
        return keys + (cell_len(f"{self.description} ") if self.description else 0)


MORE_KEYS = "more keys"
"""The help key's label once keys had to be left out of the footer."""

_NOTE = re.compile(r"\s*\([^)]*\)")
"""A parenthesised note in a description, such as `` (also .)``: dropped when short of room."""


def _shorter(item: FooterItem) -> FooterItem:
    """The item without parenthesised notes in its description."""
    return item._replace(description=_NOTE.sub("", item.description).strip())


OPPOSITES = frozenset({"next", "previous", "smaller", "bigger", "larger", "up", "down",
                       "left", "right", "more", "fewer", "less", "increase", "decrease"})
"""First words that make a pair of keys (``Next example`` / ``Previous example``)."""


def _merged_pairs(items: list[FooterItem]) -> list[FooterItem]:
    """Neighbours such as ``n Next example`` and ``p Previous example``, as one item.

    Two neighbours merge when their descriptions differ only in the first word and both
    first words are directions (:data:`OPPOSITES`): `` n  p Example``, `` [  ] Shift``.
    The keys stand side by side, as for a ``Binding.Group``, before the words they share.
    """
    merged: list[FooterItem] = []
    for item in items:
        last = merged[-1] if merged else None
        if last is not None and not last.grouped and not item.grouped:
            words = (last.description.split(" ", 1), item.description.split(" ", 1))
            if (all(len(pair) == 2 and pair[0].lower() in OPPOSITES for pair in words)
                    and words[0][1] == words[1][1]):
                rest = words[0][1]
                merged[-1] = FooterItem((*last.caps, *item.caps),
                                        rest[:1].upper() + rest[1:], True, last.action)
                continue
        merged.append(item)
    return merged


def shortened(items: tuple[FooterItem, ...]) -> list[FooterItem]:
    """The items with shorter labels: notes dropped, pairs merged."""
    return _merged_pairs([_shorter(item) for item in items])


def fit_items(items: tuple[FooterItem, ...], room: int, hint_action: str = "help", *,
              more: bool = False) -> tuple[tuple[FooterItem, ...], bool]:
    """The items to show in ``room`` cells, never cutting one in the middle, and whether
    that is all of them.

    1. All of them, as they are, if they fit.
    2. Otherwise with shorter labels (:func:`shortened`).
    3. Otherwise items dropped from the end of the list, and the item of ``hint_action``
       (the help key) moved to the end as ``? more keys``, so that every key left out is one
       visible key away. With no such item, the end is marked with ``…``.

    ``more``: keys are left out anyway (the caller hides one): go straight to step 3.
    """
    if not more and sum(item.width for item in items) <= room:
        return items, True
    short = shortened(items)
    if not more and sum(item.width for item in short) <= room:
        return tuple(short), True
    hint = next((item for item in short if item.action == hint_action), None)
    if hint is not None:
        short.remove(hint)
        hint = hint._replace(description=MORE_KEYS)
    else:
        hint = FooterItem((), "…")
    shown: list[FooterItem] = []
    used = hint.width
    for item in short:
        if used + item.width > room:
            break
        shown.append(item)
        used += item.width
    return (*shown, hint), False


class KeyFooter(Widget, can_focus=False):
    """The keys that work right now, on one line at the bottom; click a key to press it.

    The visible keys are recomputed when the screen publishes ``bindings_updated_signal``
    (on every focus change, among others). Several signals arrive per tab switch and most
    leave the keys as they were, so the footer compares the new tuple with the one it shows
    and repaints only when they differ. Never ``refresh(layout=True)``: the footer's size
    never depends on its keys.
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--disabled",
        "key-footer--hover",
        "key-footer--separator",
    }
    # Bold keys and dim disabled keys keep the footer readable under NO_COLOR.
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        width: 1fr;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        &:hover {
            pointer: pointer;
        }
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--disabled {
            text-style: dim;
        }
        & > .key-footer--hover {
            background: $block-hover-background;
        }
        & > .key-footer--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        show_command_palette: bool = True,
    ) -> None:
        """``show_command_palette``: show the palette's key at the right end, as ``Footer``
        does (only if the app enables the command palette)."""
        super().__init__(name=name, id=id, classes=classes)
        # Our @click segments must not get Textual's link look (underline, link colour).
        self.set_reactive(Widget.auto_links, False)
        self.show_command_palette = show_command_palette
        self._items: tuple[FooterItem, ...] = ()
        self._palette: FooterItem | None = None
        self._hover_key: str | None = None

    # -- keeping up with the bindings -----------------------------------------------------

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._update_keys()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        """The signal's callback (already deferred to our message queue by the signal).

        Like ``Footer``, ignore changes while the terminal window is not focused: Textual
        blurs the focused widget then and gives it back when the window regains focus, and
        the footer would flicker between the two sets of keys for nothing.
        """
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self._update_keys()

    def _update_keys(self) -> None:
        """Recompute the visible keys; repaint (only) if they are not the ones shown."""
        items, palette = self._visible_keys()
        if (items, palette) != (self._items, self._palette):
            self._items, self._palette = items, palette
            self.refresh()

    def _visible_keys(self) -> tuple[tuple[FooterItem, ...], FooterItem | None]:
        """The items to show, in ``active_bindings`` order, and the palette key (or None).

        As in ``Footer``: one key per action (the first bound), and consecutive actions of
        the same ``Binding.Group`` shown together as the group's keys then its description.
        """
        app = self.app
        active = self.screen.active_bindings
        by_action: dict[str, tuple[Binding, KeyCap]] = {}
        for key, (_, binding, enabled, tooltip) in active.items():
            if binding.show and binding.action not in by_action:
                cap = KeyCap(key, app.get_key_display(binding), enabled, tooltip)
                by_action[binding.action] = (binding, cap)

        items: list[FooterItem] = []
        for group, members in groupby(by_action.values(), lambda member: member[0].group):
            members = list(members)
            if group is not None and len(members) > 1:
                caps = tuple(cap._replace(tooltip=cap.tooltip or binding.description)
                             for binding, cap in members)
                items.append(FooterItem(caps, group.description, grouped=True,
                                        action=members[0][0].action))
            else:
                items.extend(FooterItem((cap,), binding.description, action=binding.action)
                             for binding, cap in members)

        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            found = active.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _, binding, enabled, _ = found
                tooltip = binding.tooltip or binding.description
                cap = KeyCap(binding.key, app.get_key_display(binding), enabled, tooltip)
                palette = FooterItem((cap,), binding.description)
        return tuple(items), palette

    # -- drawing ----------------------------------------------------------------------------

    def render(self) -> Content:
        """The keys from the left; the palette key, if any, at the right end.

        Each key is `` key `` in the key style then ``description `` in the description
        style; every character of an item carries a ``@click`` that presses its key. When
        the keys do not all fit beside the palette key, the palette key goes first (the help
        screen names it), then keys from the end, behind ``? more keys`` (:func:`fit_items`).
        Only a terminal too narrow for even that is cut, and the cut is marked with ``…``.
        """
        width = self.size.width
        if width <= 0:  # not laid out yet
            return self._line(self._items, compact=False)
        if self._palette is not None:
            palette = Content.assemble(("▏", ".key-footer--separator"),
                                       self._line((self._palette,), compact=True), " ")
            room = width - palette.cell_length
            shown, complete = fit_items(self._items, room)
            if complete:
                return self._line(shown, compact=False).truncate(room, pad=True) + palette
        shown, _ = fit_items(self._items, width, more=self._palette is not None)
        line = self._line(shown, compact=False)
        return line.truncate(width, ellipsis=True) if line.cell_length > width else line

    def _line(self, items: tuple[FooterItem, ...], *, compact: bool) -> Content:
        """The items as text with class styles, plus click and hover spans over each key.

        ``compact``: no space before a key (used for the palette key, as ``Footer`` does).
        """
        parts: list[tuple[str, str]] = []
        spans: list[Span] = []
        position = 0

        def add(text: str, style: str, cap: KeyCap | None) -> None:
            nonlocal position
            parts.append((text, style))
            end = position + len(text)
            if cap is not None:
                if not cap.enabled:
                    spans.append(Span(position, end, ".key-footer--disabled"))
                if cap.key == self._hover_key:
                    spans.append(Span(position, end, ".key-footer--hover"))
                meta = {"@click": f"press({cap.key!r})", "key": cap.key}
                spans.append(Span(position, end, Style.from_meta(meta)))
            position = end

        for item in items:
            if not item.caps:  # the "…" that marks keys left out
                add(f" {item.description} ", ".key-footer--description", None)
                continue
            if item.grouped:
                for cap in item.caps:
                    add(f" {cap.display} ", ".key-footer--key", cap)
                add(f"{item.description} ", ".key-footer--description", None)
                continue
            (cap,) = item.caps
            add(cap.display if compact else f" {cap.display} ", ".key-footer--key", cap)
            if item.description:
                description = f" {item.description}" if compact else f"{item.description} "
                add(description, ".key-footer--description", cap)
        line = Content.assemble(*parts)
        return line.add_spans(spans) if spans else line

    # -- the mouse --------------------------------------------------------------------------

    def action_press(self, key: str) -> None:
        """A click on a key: press it (the ``@click`` of the key's text runs this)."""
        cap = self._cap(key)
        if cap is not None and not cap.enabled:
            self.app.bell()
        else:
            self.app.simulate_key(key)

    def _cap(self, key: str | None) -> KeyCap | None:
        """The shown key called ``key``, if any."""
        items = (*self._items, *([self._palette] if self._palette else []))
        return next((cap for item in items for cap in item.caps if cap.key == key), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(event.style.meta.get("key"))

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def _set_hover(self, key: str | None) -> None:
        """Highlight the item under the mouse (and show its tooltip, if it has one)."""
        if key == self._hover_key:
            return
        self._hover_key = key
        cap = self._cap(key)
        self.tooltip = cap.tooltip if cap is not None and cap.tooltip else None
        self.refresh()
