"""Mistakes tab: where the FC and the CNN go wrong on the test set, and what they look at.

Four views (keys m, g, l, c):

* **Matrices**: the FC's, the CNN's and their difference (``t`` cycles), per-class accuracy,
  the most confused pairs and the confusions the CNN fixes or adds
  (:mod:`tuicnn.lessons.confusion`). Enter on a cell lists its digits in the gallery.
* **Gallery**: those test digits, worst (highest loss) first, with both nets' answers; ``f``
  keeps only those one net gets right; Enter opens a digit in the Explore tab.
* **Looks at**: for one test digit (moved with ``[ ]`` and ``{ }``), both nets' gradient
  saliency or occlusion map (``o``; :mod:`tuicnn.lessons.saliency`,
  :mod:`tuicnn.lessons.occlusion`); the arrows move the occlusion patch.
* **Channels**: the test digits that excite each conv2 channel most
  (:mod:`tuicnn.lessons.channel_top`).

Threading: evaluating both nets on the whole test set, and every full occlusion map, runs in
a thread worker that posts its result as a message (the tab's own, below); nothing off the UI
thread touches a widget. Results are tagged with the models they came from, so a result for
replaced models is dropped, and new models (``models_changed``) start a new evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, Static

from tuicnn.data.transforms import shift_images
from tuicnn.lessons import channel_top, confusion, occlusion, saliency
from tuicnn.messages import SendToExplore
from tuicnn.nn.model import Sequential
from tuicnn.tabs.base import BaseTab
from tuicnn.widgets.analyze.channel_view import SLOTS, ChannelView
from tuicnn.widgets.analyze.confusion_grid import ConfusionGrid
from tuicnn.widgets.analyze.gallery_view import GalleryRows, GalleryView
from tuicnn.widgets.analyze.looks_view import LooksView

VIEWS = ("matrix", "gallery", "looks", "channels")
VIEW_KEYS = {"matrix": ("m", "Matrices"), "gallery": ("g", "Gallery"),
             "looks": ("l", "Looks at"), "channels": ("c", "Channels")}
MATRICES = ("fc", "cnn", "diff")
METHODS = ("saliency", "occlusion")
MAX_SHIFT = 6
"""Largest shift the looks view offers, in pixels each way."""

#: Keys that work only in some views (the footer hides the others).
VIEW_ACTIONS = {
    "next_matrix": ("matrix",),
    "all_digits": ("gallery",),
    "method": ("looks",),
    "shift": ("looks",),
    "step_digit": ("looks",),
    "patch": ("looks",),
    "channel": ("channels",),
}


def same_models(a: tuple[Sequential, ...] | None, b: tuple[Sequential, ...]) -> bool:
    """Whether ``a`` holds the very model objects of ``b`` (not equal copies)."""
    return a is not None and len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


class AnalyzeTab(Vertical, BaseTab):
    """The four views over the workspace's FC and CNN (trained or not: the status line says).

    Public state for tests: :attr:`view`, :attr:`matrix_kind`, :attr:`evaluations`,
    :attr:`gallery_rows`, :attr:`digit`, :attr:`shift`, :attr:`method`, :attr:`patch`,
    :attr:`channel`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "view('matrix')", "Matrices", show=False),
        Binding("g", "view('gallery')", "Gallery", show=False),
        Binding("l", "view('looks')", "Looks at", show=False),
        Binding("c", "view('channels')", "Channels", show=False),
        Binding("t", "next_matrix", "FC/CNN/diff"),
        Binding("f", "next_filter", "Filter"),
        Binding("a", "all_digits", "All test digits"),
        Binding("o", "method", "Saliency/occlusion"),
        Binding("left_square_bracket", "shift(-1, 0)", "Move left", key_display="["),
        Binding("right_square_bracket", "shift(1, 0)", "Move right", key_display="]"),
        Binding("left_curly_bracket", "shift(0, -1)", "Move up", key_display="{", show=False),
        Binding("right_curly_bracket", "shift(0, 1)", "Move down", key_display="}",
                show=False),
        Binding("n", "step_digit(1)", "Next digit", show=False),
        Binding("p", "step_digit(-1)", "Previous digit", show=False),
        Binding("up", "patch(-1, 0)", "Patch up", show=False),
        Binding("down", "patch(1, 0)", "Patch down", show=False),
        Binding("left", "patch(0, -1)", "Patch left", show=False),
        Binding("right", "patch(0, 1)", "Patch right", show=False),
        Binding("comma", "channel(-1)", "Previous channel", key_display=","),
        Binding("full_stop", "channel(1)", "Next channel", key_display="."),
    ]

    @dataclass(eq=False)
    class Evaluated(Message, bubble=False):
        """The worker evaluated ``models`` (``(fc, cnn)``) on the test set, or failed."""

        models: tuple[Sequential, Sequential]
        evaluations: dict[str, confusion.Evaluation] | None
        conv2: np.ndarray | None
        error: str | None = None

    @dataclass(eq=False)
    class OcclusionReady(Message, bubble=False):
        """The worker made both full occlusion maps for the look ``key``."""

        key: tuple[object, ...]
        maps: dict[str, occlusion.OcclusionMap] | None
        error: str | None = None

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.view = "matrix"
        self.matrix_kind = "fc"
        self.filter = "all"
        self.cell: tuple[int, int] | None = None
        self.gallery_kind = "fc"
        self.gallery_rows: GalleryRows | None = None
        self.evaluations: dict[str, confusion.Evaluation] | None = None
        self.conv2: np.ndarray | None = None
        self.digit = 0
        self.shift = (0, 0)
        self.method = "saliency"
        self.patch = (14, 14)
        self.channel = 0
        self._evaluated: tuple[Sequential, Sequential] | None = None
        self._evaluating: tuple[Sequential, Sequential] | None = None
        self._occlusion: dict[tuple[object, ...], dict[str, occlusion.OcclusionMap]] = {}
        self._occluding: tuple[object, ...] | None = None

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="analyze-status")
        with ContentSwitcher(initial="matrix", id="analyze-views"), Horizontal(id="matrix"):
            with Vertical(id="matrix-main"):
                yield Static("", id="matrix-title")
                yield ConfusionGrid(id="matrix-grid")
                yield Static("", id="matrix-cell")
            yield Static("", id="matrix-side")

    @staticmethod
    def _make_view(view: str) -> GalleryView | LooksView | ChannelView:
        """The widget of a view other than the matrices, mounted on first use: building all
        four at once made the tab's first frame twice as slow."""
        if view == "gallery":
            return GalleryView(id="gallery")
        if view == "looks":
            return LooksView(id="looks")
        return ChannelView(id="channels")

    def on_mount(self) -> None:
        self._show_status()

    def on_show(self) -> None:
        """Evaluate the current models when first shown (or after they changed); take the
        focus if nothing has it (the previous tab's focus was hidden)."""
        if self.screen.focused is None:
            self.focus_default()
        self._ensure_evaluated()

    def focus_default(self) -> None:
        target = {"matrix": "#matrix-grid", "gallery": "#gallery-table", "looks": "#looks",
                  "channels": "#channels"}[self.view]
        self.query_one(target).focus()

    def models_changed(self) -> None:
        """New models: forget what was measured; measure again now if the tab is shown."""
        self.evaluations, self.conv2, self._evaluated = None, None, None
        self._occlusion.clear()
        self._show_status()
        if self.is_on_screen:
            self._ensure_evaluated()

    # -- evaluation -------------------------------------------------------------------------

    @property
    def _models(self) -> tuple[Sequential, Sequential]:
        return self.workspace.fc.model, self.workspace.cnn.model

    def _ensure_evaluated(self) -> None:
        models = self._models
        if same_models(self._evaluated, models) or same_models(self._evaluating, models):
            return
        self._evaluating = models
        split = self.workspace.split
        self._evaluate(models, split.x_test, split.y_test, split.n_classes)
        self._show_status()

    @work(thread=True, exclusive=True, group="analyze-evaluate", exit_on_error=False)
    def _evaluate(self, models: tuple[Sequential, Sequential], x: np.ndarray, y: np.ndarray,
                  n_classes: int) -> None:
        """Thread: both nets on the whole test set, and the CNN's conv2 maps; never touches
        widgets."""
        try:
            evaluations = {kind: confusion.evaluate(model, x, y, n_classes)
                           for kind, model in zip(confusion.KINDS, models, strict=True)}
            conv2 = channel_top.activations(models[1], x)
        except Exception as error:  # a broken model must not take the UI down
            self.post_message(self.Evaluated(models, None, None, f"{type(error).__name__}: "
                                             f"{error}"))
            return
        self.post_message(self.Evaluated(models, evaluations, conv2))

    def on_analyze_tab_evaluated(self, message: Evaluated) -> None:
        if not same_models(message.models, self._models):
            return  # results for models replaced meanwhile
        self._evaluating = None
        if message.error is not None:
            self.notify(f"Evaluating the nets failed: {message.error}", severity="error")
            return
        self.evaluations, self.conv2, self._evaluated = (message.evaluations, message.conv2,
                                                         message.models)
        self._show_status()
        self._redraw()

    @work(thread=True, exclusive=True, group="analyze-occlusion", exit_on_error=False)
    def _occlude(self, key: tuple[object, ...], models: tuple[Sequential, Sequential],
                 image: np.ndarray, target: int) -> None:
        """Thread: both nets' full occlusion maps for one image."""
        try:
            maps = {kind: occlusion.occlusion_map(model, image, target)
                    for kind, model in zip(confusion.KINDS, models, strict=True)}
        except Exception as error:
            self.post_message(self.OcclusionReady(key, None, f"{type(error).__name__}: {error}"))
            return
        self.post_message(self.OcclusionReady(key, maps))

    def on_analyze_tab_occlusion_ready(self, message: OcclusionReady) -> None:
        if self._occluding == message.key:
            self._occluding = None
        if message.error is not None:
            self.notify(f"The occlusion map failed: {message.error}", severity="error")
            return
        assert message.maps is not None
        self._occlusion[message.key] = message.maps
        if self.view == "looks":
            self._show_looks()

    # -- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        views = VIEW_ACTIONS.get(action)
        return views is None or self.view in views

    async def action_view(self, view: str) -> None:
        await self.show_view(view)

    async def show_view(self, view: str) -> None:
        """Switch to one of :data:`VIEWS` and focus it. Leaving the gallery for the looks view
        takes the highlighted digit along."""
        if view == "looks" and self.view == "gallery":
            highlighted = self.query_one(GalleryView).highlighted
            if highlighted is not None and highlighted != self.digit:
                self.digit, self.shift = highlighted, (0, 0)
        switcher = self.query_one(ContentSwitcher)
        if not switcher.query_children(f"#{view}"):
            await switcher.add_content(self._make_view(view))
        self.view = view
        switcher.current = view
        self.refresh_bindings()
        self.focus_default()
        self._show_status()
        self._redraw()

    def action_next_matrix(self) -> None:
        self.matrix_kind = MATRICES[(MATRICES.index(self.matrix_kind) + 1) % len(MATRICES)]
        self._show_matrix()

    async def action_next_filter(self) -> None:
        filters = confusion.FILTERS
        self.filter = filters[(filters.index(self.filter) + 1) % len(filters)]
        self.notify(f"Gallery: {confusion.FILTER_NAMES[self.filter]}", timeout=2)
        if self.view != "gallery":
            await self.show_view("gallery")
        else:
            self._show_gallery()

    def action_all_digits(self) -> None:
        """The gallery over the whole test set (with the filter): the worst digits overall."""
        self.cell = None
        self._show_gallery()

    async def on_confusion_grid_cell_chosen(self, message: ConfusionGrid.CellChosen) -> None:
        message.stop()
        self.cell, self.gallery_kind = (message.true, message.pred), self.matrix_kind
        await self.show_view("gallery")

    def on_confusion_grid_cursor_moved(self, message: ConfusionGrid.CursorMoved) -> None:
        message.stop()
        self._show_cell_line()

    def on_gallery_view_highlighted(self, message: GalleryView.Highlighted) -> None:
        message.stop()
        self.digit, self.shift = message.index, (0, 0)

    def on_gallery_view_open(self, message: GalleryView.Open) -> None:
        """Enter on a digit: show it in the Explore tab (the main screen forwards this)."""
        message.stop()
        split = self.workspace.split
        names = split.class_names
        caption = f"test digit #{message.index} (true {names[int(split.y_test[message.index])]}"
        if self.evaluations is not None:
            fc, cnn = (int(self.evaluations[k].predictions[message.index]) for k in ("fc", "cnn"))
            caption += f"; the FC said {names[fc]}, the CNN {names[cnn]}"
        self.post_message(SendToExplore(split.x_test[message.index][:, :, 0].copy(),
                                        caption + ")"))

    def action_method(self) -> None:
        self.method = METHODS[(METHODS.index(self.method) + 1) % len(METHODS)]
        self._show_looks()

    def action_shift(self, dx: int, dy: int) -> None:
        x = min(max(self.shift[0] + dx, -MAX_SHIFT), MAX_SHIFT)
        y = min(max(self.shift[1] + dy, -MAX_SHIFT), MAX_SHIFT)
        self.shift = (x, y)
        self._show_looks()

    def action_step_digit(self, step: int) -> None:
        self.digit = (self.digit + step) % self.workspace.split.n_test
        self._show_looks()

    def action_patch(self, rows: int, cols: int) -> None:
        if self.method != "occlusion":
            self.method = "occlusion"
        self.patch = (min(max(self.patch[0] + rows, 0), 27), min(max(self.patch[1] + cols, 0), 27))
        self._show_looks()

    def action_channel(self, step: int) -> None:
        count = 1 if self.conv2 is None else self.conv2.shape[-1]
        self.channel = (self.channel + step) % count
        self._show_channels()

    # -- drawing ----------------------------------------------------------------------------

    def _redraw(self) -> None:
        {"matrix": self._show_matrix, "gallery": self._show_gallery, "looks": self._show_looks,
         "channels": self._show_channels}[self.view]()

    def _show_status(self) -> None:
        """The views and their keys (the shown one marked), then the models' state."""
        workspace = self.workspace
        text = Text(no_wrap=True, overflow="ellipsis")
        for view, (key, name) in VIEW_KEYS.items():
            shown = view == self.view
            text.append(f"{'▸' if shown else ' '}{key} {name}", style="bold reverse" if shown
                        else "")
            text.append(" ")
        trained = workspace.fc.trained and workspace.cnn.trained
        if self.evaluations is None:
            text.append(f"│ evaluating {workspace.split.n_test:,} test digits…")
        elif trained:
            text.append("│ trained nets", style="dim")
        else:
            text.append("│ UNTRAINED: random weights", style="bold")
        status = self.query_one("#analyze-status", Static)
        status.update(text)
        status.set_class(not trained, "-untrained")

    def _show_matrix(self) -> None:
        grid = self.query_one(ConfusionGrid)
        title = self.query_one("#matrix-title", Static)
        side = self.query_one("#matrix-side", Static)
        if self.evaluations is None:
            title.update("Evaluating…")
            return
        fc, cnn = self.evaluations["fc"], self.evaluations["cnn"]
        if self.matrix_kind == "diff":
            grid.show(confusion.difference(fc.matrix, cnn.matrix),
                      cnn.per_class_accuracy - fc.per_class_accuracy, signed=True)
            title.update(Text("CNN − FC counts: −n = n fewer of that mistake",
                              style="bold"))
        else:
            evaluation = self.evaluations[self.matrix_kind]
            grid.show(evaluation.matrix, evaluation.per_class_accuracy, signed=False)
            record = getattr(self.workspace, self.matrix_kind)
            state = record.status.split(" · ")[0] if record.trained else "untrained"
            title.update(Text(f"{self.matrix_kind.upper()} ({state}): "
                              f"{evaluation.accuracy:.1%} right ({evaluation.correct}/"
                              f"{evaluation.total})", style="bold"))
        names = self.workspace.split.class_names
        text = Text()
        shown = self.matrix_kind if self.matrix_kind != "diff" else "cnn"
        text.append(f"Most confused ({shown.upper()})\n", style="bold")
        for pair in confusion.most_confused(self.evaluations[shown].matrix, 4):
            text.append(f" true {names[pair.true]} → {names[pair.pred]}: {pair.count}\n")
        fixes, adds = confusion.fixes_and_adds(fc.matrix, cnn.matrix, 4)
        for heading, pairs in (("CNN fixes (fewer)", fixes), ("CNN adds (more)", adds)):
            text.append(f"{heading}\n", style="bold")
            for pair in pairs:
                text.append(f" {names[pair.true]} → {names[pair.pred]}: {pair.count} "
                            f"{'fewer' if pairs is fixes else 'more'}\n")
            if not pairs:
                text.append(" none\n")
        text.append("t: FC / CNN / CNN−FC", style="dim")
        side.update(text)
        self._show_cell_line()

    def _show_cell_line(self) -> None:
        if self.evaluations is None:
            return
        true, pred = self.query_one(ConfusionGrid).cursor
        names = self.workspace.split.class_names
        fc, cnn = (int(self.evaluations[k].matrix[true, pred]) for k in ("fc", "cnn"))
        verb = "right" if true == pred else f"read as {names[pred]}"
        self.query_one("#matrix-cell", Static).update(
            f"true {names[true]} {verb}: FC {fc}, CNN {cnn} · Enter lists")

    def _show_gallery(self) -> None:
        if self.evaluations is None:
            return
        split = self.workspace.split
        names = split.class_names
        true, pred = self.cell if self.cell is not None else (None, None)
        kind = self.gallery_kind if self.cell is not None else "diff"
        indices = confusion.gallery(self.evaluations, split.y_test, kind, true, pred,
                                    self.filter)
        if self.cell is None:
            where = "whole test set"
        elif kind == "diff":
            where = f"true {names[true]}, FC or CNN said {names[pred]}"
        else:
            where = f"true {names[true]}, {kind.upper()} said {names[pred]}"
        if self.filter != "all":
            where += f" · {confusion.FILTER_NAMES[self.filter]}"
        self.gallery_rows = GalleryRows(indices, where, kind)
        self.query_one(GalleryView).show(self.gallery_rows, split.x_test, split.y_test, names,
                                         self.evaluations)

    def looked_image(self) -> np.ndarray:
        """``(28, 28, 1)``: the chosen test digit, moved by :attr:`shift`."""
        self.digit %= self.workspace.split.n_test  # a new split may be smaller
        x = self.workspace.split.x_test[self.digit : self.digit + 1]
        return shift_images(x, *self.shift)[0]

    def _show_looks(self) -> None:
        split = self.workspace.split
        names = split.class_names
        image = self.looked_image()  # first: it keeps the digit in range
        true = int(split.y_test[self.digit])
        models = dict(zip(confusion.KINDS, self._models, strict=True))
        maps: dict[str, np.ndarray | None]
        if self.method == "saliency":
            maps = {kind: saliency.saliency(model, image, true) for kind, model in models.items()}
            method = (f"Method: {saliency.METHOD}, score of the true class {names[true]}: "
                      "bright = a tiny change of that pixel moves the score a lot")
            mode = "sequential"
        else:
            key = (self.digit, self.shift, *map(id, self._models))
            found = self._occlusion.get(key)
            if found is None and self._occluding != key:
                self._occluding = key
                self._occlude(key, self._models, image, true)
            maps = {kind: None if found is None else found[kind].drops for kind in models}
            method = (f"Method: {occlusion.METHOD}, at each pixel (class {names[true]}): bright "
                      "= hiding it hurts most. Arrows move one patch.")
            mode = "sequential"
        titles = {kind: f"{kind.upper()} · {self.method}" + ("" if maps[kind] is not None
                                                            else " (computing…)")
                  for kind in models}
        info = Text()
        info.append(f"#{self.digit} true {names[true]}\n", style="bold")
        info.append(f"moved {self.shift[0]:+d}→ {self.shift[1]:+d}↓\n")
        for kind, model in models.items():
            p = model.predict_proba(image[None])[0]
            guess = int(p.argmax())
            info.append(f"{kind.upper():<4}says {names[guess]} {p[guess]:.0%}\n")
        shown_digit = image
        if self.method == "occlusion":
            row, col = self.patch
            shown_digit = occlusion.occlude(image, row, col)
            info.append(f"patch at ({row},{col}):\n", style="bold")
            for kind, model in models.items():
                before = float(model.predict_proba(image[None])[0, true])
                after = occlusion.probability_with_patch(model, image, true, row, col)
                info.append(f"{kind.upper():<4}p({names[true]}) {before:.0%}→{after:.0%}\n")
        info.append("[ ]{ } move · n next", style="dim")
        title = "digit, ½ size" + (", patched" if self.method == "occlusion" else "")
        self.query_one(LooksView).show(maps, titles, mode, method, shown_digit[:, :, 0], title,
                                       info)

    def _show_channels(self) -> None:
        view = self.query_one(ChannelView)
        if self.conv2 is None:
            view.show("Evaluating…", [])
            return
        split = self.workspace.split
        cnn = self._models[1]
        count = self.conv2.shape[-1]
        hits = channel_top.top_hits(self.conv2, self.channel, SLOTS)
        pictures = []
        for hit in hits:
            box = channel_top.receptive_field(cnn, hit.row, hit.col)
            name = split.class_names[int(split.y_test[hit.index])]
            title = f"#{hit.index} {name} {hit.value:.2f}"
            pictures.append((split.x_test[hit.index][:, :, 0], box, title))
        view.show(f"conv2 channel {self.channel + 1}/{count} (, .): the test digits whose map "
                  "peaks highest (index, class, peak). Bright: the pixels the peak unit sees.",
                  pictures)
