"""Questions about the CNN whose answers the engine computes, and their grading.

The guided lesson (``L`` in the app) and ``tuicnn exercises`` ask the same questions. No
answer is typed in: each is measured when the question is built, from the real data and the
models it is asked about (their layer shapes and parameter counts, a trace of a real test
digit, a prediction on a shifted copy of it) or, for the published architectures, from the
engine's shape code (``nn/architectures.py``). Change the model and the answers follow.

A seed picks the test digit the digit questions are about and the filters offered as
choices; the same seed, data and models give the same questions and answers.

Arrays follow the engine: channels last, no batch axis in a trace (``relu1`` of one image
is ``(28, 28, F)``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from tuicnn.data.transforms import shift_images
from tuicnn.lessons.explorer import QUICK_DIGITS, Example, examples_of, pick_example
from tuicnn.nn.architectures import PUBLISHED, LayerRow, app_architectures, summarize
from tuicnn.nn.layers import MaxPool2D
from tuicnn.nn.model import Sequential
from tuicnn.nn.shapes import CNN_FC_UNITS, conv_output_size
from tuicnn.nn.tracing import Trace, trace

if TYPE_CHECKING:
    from tuicnn.session.workspace import Workspace

NUMBER, CHOICE = "number", "choice"

SHIFT_PIXELS = 3
"""How far the translation question moves its digit (to the right)."""

POST_FEATURE_MAP = ((1, 3, 2, 4), (5, 6, 1, 2), (3, 8, 4, 7), (1, 2, 6, 3))
"""The 4×4 feature map the blog post pools by hand (numbers made up by its author)."""

LINEAGE = ("lenet5", "alexnet", "vgg16", "resnet50")
"""The published architectures the lineage question compares, in order of publication."""


@dataclass(frozen=True)
class Subject:
    """What the questions are asked about: the two models and the test digits.

    Attributes:
        fc, cnn: the fully-connected net and the CNN (``kind`` "fc" and "cnn").
        x_test: ``(M, 28, 28, 1)`` float32 test images in [0, 1].
        y_test: ``(M,)`` int labels.
        class_names: a display name per class.
        fc_status, cnn_status: one line each on how the model came to be (trained or not).
    """

    fc: Sequential
    cnn: Sequential
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    fc_status: str = ""
    cnn_status: str = ""


@dataclass(frozen=True)
class Exercise:
    """One question and its measured answer.

    Attributes:
        id: stable identifier (the same for every seed), used in answer files and progress.
        text: the question, naming the digit or model it is about.
        kind: ``"number"`` or ``"choice"``.
        answer: the measured value (number) or the right choice's text.
        why: how the answer was measured, with the numbers behind it.
        choices: the options of a choice question, in the order shown.
        tolerance: how far a number may be from ``answer`` and still count (0 = exact).
        uses_model: ``"fc"``, ``"cnn"``, ``"both"`` when the answer depends on the models'
            weights, None when only on shapes.
        example: the test digit the question is about, if any (where the app shows it).
    """

    id: str
    text: str
    kind: str
    answer: float | str
    why: str
    choices: tuple[str, ...] = ()
    tolerance: float = 0.0
    uses_model: str | None = None
    example: Example | None = None

    @property
    def expected(self) -> str:
        """The answer as shown to the learner: ``1,568``, ``62.5``, ``filter 3``."""
        if isinstance(self.answer, str):
            return self.answer
        return format_number(self.answer)

    def public(self) -> dict[str, object]:
        """The question without its answer, as ``tuicnn exercises --json`` prints it."""
        out: dict[str, object] = {"id": self.id, "text": self.text, "kind": self.kind,
                                  "choices": list(self.choices)}
        if self.kind == NUMBER and self.tolerance:
            out["tolerance"] = self.tolerance
        out["uses_model"] = self.uses_model
        return out


@dataclass(frozen=True)
class Feedback:
    """The grade of one answer."""

    id: str
    correct: bool
    given: str
    expected: str
    message: str
    why: str

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "correct": self.correct, "answer": self.given,
                "expected": self.expected, "feedback": self.message, "why": self.why}


def format_number(value: float) -> str:
    """Whole numbers with thousands separators, others with one decimal."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


# -- grading ------------------------------------------------------------------------------


def parse_number(raw: object) -> float | None:
    """A learner's number: an int/float, or text like ``1,568`` or ``62.5%``; else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw) if math.isfinite(raw) else None
    if not isinstance(raw, str):
        return None
    text = raw.strip().rstrip("%").replace(",", "").replace("_", "").strip()
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def match_choice(exercise: Exercise, raw: object) -> str | None:
    """The choice ``raw`` names (its text, any case), or None."""
    if not isinstance(raw, str):
        return None
    wanted = " ".join(raw.split()).casefold()
    return next((c for c in exercise.choices if c.casefold() == wanted), None)


def grade(exercise: Exercise, raw: object) -> Feedback:
    """Grade one answer: a number within the tolerance, or the right choice.

    ``raw`` None means no answer was given; an answer of the wrong form is wrong, and the
    message says what form was expected.
    """
    expected = exercise.expected
    if raw is None:
        return Feedback(exercise.id, False, "", expected, f"No answer; it is {expected}.",
                        exercise.why)
    given = str(raw)
    if exercise.kind == NUMBER:
        value = parse_number(raw)
        if value is None:
            return Feedback(exercise.id, False, given, expected,
                            f"{given!r} is not a number; the answer is {expected}.",
                            exercise.why)
        assert isinstance(exercise.answer, float | int)
        correct = abs(value - exercise.answer) <= exercise.tolerance + 1e-9
        given = format_number(value)
        within = f" (within {format_number(exercise.tolerance)})" if exercise.tolerance else ""
        message = (f"Right: {expected}{within}." if correct
                   else f"Not quite: you said {given}, the engine measures {expected}.")
        return Feedback(exercise.id, correct, given, expected, message, exercise.why)
    choice = match_choice(exercise, raw)
    if choice is None:
        return Feedback(exercise.id, False, given, expected,
                        f"{given!r} is not one of: {', '.join(exercise.choices)}; "
                        f"the answer is {expected}.", exercise.why)
    correct = choice == exercise.answer
    message = (f"Right: {expected}." if correct
               else f"Not quite: you chose {choice}, the engine measures {expected}.")
    return Feedback(exercise.id, correct, choice, expected, message, exercise.why)


def grade_all(exercises: tuple[Exercise, ...], answers: Mapping[str, object]
              ) -> tuple[list[Feedback], int]:
    """Grade every exercise (missing answers are wrong); returns the feedback and the score.

    Raises:
        ValueError: ``answers`` names a question that is not in ``exercises``.
    """
    known = {e.id for e in exercises}
    unknown = [key for key in answers if key not in known]
    if unknown:
        raise ValueError(f"unknown question id {unknown[0]!r} (the ids are: "
                         f"{', '.join(e.id for e in exercises)})")
    feedback = [grade(e, answers.get(e.id)) for e in exercises]
    return feedback, sum(f.correct for f in feedback)


# -- the seeded digit ---------------------------------------------------------------------


def seeded_example(subject: Subject, seed: int) -> Example:
    """The test digit the digit questions are about: one of the Explore tab's quick digits
    (any class the data has if it has none of them), at a seeded position among its kind."""
    rng = np.random.default_rng([seed, 19])
    present = [d for d in QUICK_DIGITS if len(examples_of(subject.y_test, d))]
    if not present:
        present = sorted({int(y) for y in subject.y_test})
    if not present:
        raise ValueError("the test set is empty: there is no digit to ask about")
    digit = present[int(rng.integers(len(present)))]
    count = len(examples_of(subject.y_test, digit))
    return pick_example(subject.y_test, digit, int(rng.integers(count)))


@dataclass
class _Builder:
    """Shared, lazily computed facts while building one set of exercises."""

    subject: Subject
    seed: int
    example: Example
    _trace: Trace | None = field(default=None, repr=False)

    @property
    def trace(self) -> Trace:
        """The CNN's trace of the seeded digit."""
        if self._trace is None:
            self._trace = trace(self.subject.cnn, self.subject.x_test[self.example.index])
        return self._trace

    @property
    def digit_text(self) -> str:
        name = self.subject.class_names[self.example.digit]
        return self.example.describe(name)

    def rng(self, salt: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, salt])

    def shuffled(self, choices: list[str], salt: int) -> tuple[str, ...]:
        order = self.rng(salt).permutation(len(choices))
        return tuple(choices[int(i)] for i in order)


def _model_note(status: str, kind: str) -> str:
    return f" (the {kind} as it is now: {status})" if status else ""


# -- the questions, in the post's order ---------------------------------------------------


def _pixels(b: _Builder) -> Exercise:
    info = b.subject.fc.summary()[0]
    height, width, channels = b.subject.fc.input_shape
    size = int(np.prod(info.output_shape))
    hidden = b.subject.fc.summary()[1].output_shape[0]
    return Exercise(
        "pixels",
        f"The FC net's first step, {info.name}, lays each {height}×{width} image out as one "
        "list of numbers. How long is that list?",
        NUMBER, size,
        f"{info.name} turns {b.subject.fc.input_shape} into {info.output_shape}: "
        f"{height} × {width} × {channels} = {size:,}. Each of the {hidden} hidden units then "
        f"has its own weight for every one of them; a pixel's neighbour above is {width} "
        "places away in the list.",
    )


def _receptive_field(b: _Builder) -> Exercise:
    rows = _cnn_rows(b.subject.cnn)
    kernel = b.subject.cnn.layer("conv1").params["W"].shape[0]
    rf = rows["conv2"].receptive_field
    assert rf is not None
    return Exercise(
        "receptive_field",
        f"One conv1 unit sees a {kernel}×{kernel} patch of the image. After a 2×2 max-pool "
        "and conv2, how many pixels wide is the patch of the image one conv2 unit depends on?",
        NUMBER, rf,
        f"Receptive fields grow layer by layer (rf_out = rf_in + (K - 1) × jump): conv1 "
        f"{rows['conv1'].receptive_field}, pool1 {rows['pool1'].receptive_field}, conv2 {rf} "
        "pixels; the pool doubled the step between neighbouring units, so conv2's 3×3 "
        "window spans twice as much of the image.",
    )


def _cnn_rows(cnn: Sequential) -> dict[str, LayerRow]:
    """The app CNN's summary rows (receptive fields included) for ``cnn``'s settings."""
    filters = cnn.layer("conv1").params["W"].shape[-1]
    fc_units = int(cnn.hparams.get("fc_units", CNN_FC_UNITS))
    summary = summarize(app_architectures(1, filters, fc_units)[1])
    return {row.name: row for row in summary.rows}


def _filter_peak(b: _Builder) -> Exercise:
    relu = b.trace["relu1"].values  # (28, 28, F)
    peaks = relu.reshape(-1, relu.shape[-1]).max(axis=0)  # (F,)
    best = int(peaks.argmax())
    others = [int(i) for i in b.rng(3).permutation(len(peaks)) if int(i) != best]
    offered = sorted([best, *others[:3]])
    choices = tuple(f"filter {i + 1}" for i in offered)
    peak_text = ", ".join(f"filter {i + 1}: {peaks[i]:.2f}" for i in offered)
    return Exercise(
        "filter_peak",
        f"On {b.digit_text}, which of these conv1 filters responds most strongly (the "
        f"highest value anywhere in its ReLU map)?{_model_note(b.subject.cnn_status, 'CNN')}",
        CHOICE, f"filter {best + 1}",
        f"Traced through the CNN, the peak of each ReLU map is {peak_text}. A filter's "
        "3×3 weights are a pattern; its map is brightest where the digit matches it best.",
        choices=choices, uses_model="cnn", example=b.example,
    )


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def _feature_shape(b: _Builder) -> Exercise:
    shapes = {info.name: info.output_shape for info in b.subject.cnn.summary()}
    answer = _shape_text(shapes["conv2"])
    options = {_shape_text(shapes[name]) for name in ("conv1", "pool1", "conv2", "pool2")}
    filters = shapes["conv2"][-1]
    return Exercise(
        "feature_shape",
        "conv2 slides each of its filters over pool1's output. What shape is conv2's output "
        "for one image (height × width × feature maps)?",
        CHOICE, answer,
        f"pool1 gives {_shape_text(shapes['pool1'])}; conv2 pads by 1, so its 3×3 windows "
        f"keep the size, and each of its {filters} filters makes one feature map: {answer}.",
        choices=b.shuffled(sorted(options), 4),
    )


def _padding(b: _Builder) -> Exercise:
    conv = b.subject.cnn.layer("conv1")
    size = b.subject.cnn.input_shape[0]
    kernel = conv.params["W"].shape[0]
    unpadded = conv_output_size(size, kernel, padding=0, stride=1)
    padded = b.subject.cnn.summary()[0].output_shape[0]
    return Exercise(
        "padding",
        f"conv1 adds a ring of zeros around the {size}×{size} image before sliding its "
        f"{kernel}×{kernel} filters, and its output stays {padded} wide. Without the zeros "
        "(stride 1), how wide would the output be?",
        NUMBER, unpadded,
        f"(H + 2P - K) / S + 1 = ({size} + 0 - {kernel}) / 1 + 1 = {unpadded}: a filter "
        f"centred on an edge pixel would hang off the image, so {size - unpadded} rows and "
        "columns of centres are lost. Padding 1 keeps them.",
    )


def _stride(b: _Builder) -> Exercise:
    size = b.subject.cnn.input_shape[0]
    stride, padding, kernel = 2, 1, 3
    out = conv_output_size(size, kernel, padding, stride)
    return Exercise(
        "stride",
        f"Now a {kernel}×{kernel} window with padding {padding} and stride {stride} (it "
        f"jumps 2 pixels each step) over the {size}-pixel-wide image: how wide is the output?",
        NUMBER, out,
        f"floor(({size} + 2×{padding} - {kernel}) / {stride}) + 1 = {out}: a stride of 2 "
        "halves the size, as a 2×2 pool does.",
    )


def _pool_example(b: _Builder) -> Exercise:
    fmap = np.array(POST_FEATURE_MAP, dtype=np.float32).reshape(1, 4, 4, 1)
    pooled = MaxPool2D(2).forward(fmap, train=False)[0, :, :, 0]  # (2, 2)
    answer = float(pooled[1, 1])
    rows = " / ".join(" ".join(str(int(v)) for v in row) for row in POST_FEATURE_MAP)
    return Exercise(
        "pool_example",
        f"The blog post's 4×4 feature map (rows: {rows}; made-up numbers) goes through a 2×2 "
        "max-pool. What value ends up bottom-right in the 2×2 result?",
        NUMBER, answer,
        f"The engine's MaxPool2D gives {pooled.astype(int).tolist()}: each 2×2 block keeps "
        "only its largest value, so the bottom-right block (4 7 / 6 3) keeps "
        f"{format_number(answer)}.",
    )


def _relu_zeroed(b: _Builder) -> Exercise:
    conv = b.trace["conv1"].values  # (28, 28, F)
    negative = float((conv < 0).mean()) * 100
    return Exercise(
        "relu_zeroed",
        f"On {b.digit_text}, what percentage of conv1's outputs (every filter, every "
        "position) are negative, so that ReLU sets them to 0? Within 5 points counts."
        f"{_model_note(b.subject.cnn_status, 'CNN')}",
        NUMBER, round(negative, 1),
        f"Traced: {int((conv < 0).sum()):,} of {conv.size:,} conv1 outputs are below zero "
        f"({negative:.1f}%). ReLU (max(0, x)) zeroes them and passes the rest unchanged: the "
        "dark parts of each ReLU map.",
        tolerance=5.0, uses_model="cnn", example=b.example,
    )


def _flatten_size(b: _Builder) -> Exercise:
    infos = {info.name: info for info in b.subject.cnn.summary()}
    pool2 = infos["pool2"].output_shape
    rf = _cnn_rows(b.subject.cnn)["pool2"].receptive_field
    if "flatten" not in infos:  # a CNN with a global-average-pool head (Train tab, Advanced)
        size = int(np.prod(infos["gap"].output_shape))
        return Exercise(
            "flatten_size",
            "The CNN's pipeline: conv, ReLU, pool, conv, ReLU, pool, then a global average "
            "pool feeds a dense layer. How many numbers per image does it hand to it?",
            NUMBER, size,
            f"pool2's output is {_shape_text(pool2)}; averaging each of its {size} maps over "
            f"all positions gives {size:,} numbers: how strongly each learned pattern "
            "appeared, wherever it was.",
        )
    size = int(np.prod(infos["flatten"].output_shape))
    return Exercise(
        "flatten_size",
        "The CNN's pipeline: conv, ReLU, pool, conv, ReLU, pool, then flatten feeds a dense "
        "layer. How many numbers per image does flatten hand to it?",
        NUMBER, size,
        f"pool2's output is {_shape_text(pool2)}, so flatten gives {size:,} numbers; each "
        f"says how strongly a learned pattern appeared somewhere in a {rf}×{rf}-pixel patch "
        "of the digit, not how bright one pixel was.",
    )


def _conv1_params(b: _Builder) -> Exercise:
    conv = b.subject.cnn.layer("conv1")
    w_shape = conv.params["W"].shape  # (K, K, C, F)
    n_weights = int(np.prod(w_shape))
    return Exercise(
        "conv1_params",
        f"conv1 has {w_shape[-1]} filters of {w_shape[0]}×{w_shape[1]} on a "
        f"{w_shape[2]}-channel image. How many parameters (weights and biases) does it have?",
        NUMBER, conv.n_params,
        f"{w_shape[0]}×{w_shape[1]}×{w_shape[2]} weights × {w_shape[-1]} filters = "
        f"{n_weights} weights, plus {conv.n_params - n_weights} biases = {conv.n_params:,}. "
        "Each filter is reused at all 784 positions: that sharing is why the count does not "
        "depend on the image size.",
    )


def _fc_params(b: _Builder) -> Exercise:
    dense = b.subject.fc.layer("fc")
    n_in, n_out = dense.params["W"].shape
    conv1 = b.subject.cnn.layer("conv1").n_params
    return Exercise(
        "fc_params",
        f"The FC net's first layer connects all {n_in} pixels to {n_out} hidden units. How "
        "many parameters (weights and biases) does it have?",
        NUMBER, dense.n_params,
        f"{n_in} × {n_out} weights + {n_out} biases = {dense.n_params:,}: "
        f"{dense.n_params / conv1:,.0f} times conv1's {conv1:,}, because no weight is "
        "shared between positions.",
    )


def _shift(b: _Builder) -> Exercise:
    image = b.subject.x_test[b.example.index][None]  # (1, 28, 28, 1)
    moved = shift_images(image, SHIFT_PIXELS, 0)
    label = b.example.digit
    names = b.subject.class_names

    def says(model: Sequential, x: np.ndarray) -> tuple[int, float]:
        p = model.predict_proba(x)[0]
        return int(p.argmax()), float(p.max())

    results = {kind: (says(model, image), says(model, moved))
               for kind, model in (("FC", b.subject.fc), ("CNN", b.subject.cnn))}
    right = [kind for kind, (_, (guess, _)) in results.items() if guess == label]
    answer = {0: "neither", 2: "both"}.get(len(right), f"only the {right[0]}" if right else "")
    parts = [f"the {kind} says {names[a]} ({pa:.0%}) unmoved, {names[c]} ({pc:.0%}) moved"
             for kind, ((a, pa), (c, pc)) in results.items()]
    status = "; ".join(f"{k}: {s}" for k, s in (("FC", b.subject.fc_status),
                                               ("CNN", b.subject.cnn_status)) if s)
    return Exercise(
        "shift",
        f"Take {b.digit_text}; move it {SHIFT_PIXELS} pixels to the right. Which nets name "
        f"the moved digit correctly?{f' (models as they are now: {status})' if status else ''}",
        CHOICE, answer,
        f"Measured: {'; '.join(parts)}. A CNN's shared filters find a pattern wherever it "
        "is and pooling absorbs small moves, while each FC weight is tied to one pixel "
        "position; how much that helps on this digit is what was measured.",
        choices=("both", "only the FC", "only the CNN", "neither"),
        uses_model="both", example=b.example,
    )


def _lineage(b: _Builder) -> Exercise:
    summaries = {a.key: summarize(a) for a in PUBLISHED if a.key in LINEAGE}
    ordered = [summaries[key] for key in LINEAGE]
    biggest = max(ordered, key=lambda s: s.total_params)
    counts = ", ".join(f"{s.name} {s.total_params / 1e6:.2f} M" for s in ordered)
    return Exercise(
        "lineage",
        "LeNet-5 (1998), AlexNet (2012), VGG-16 (2014), ResNet-50 (2015): which has the most "
        "parameters?",
        CHOICE, biggest.name,
        f"Counted by the engine's shape code: {counts}. VGG's three dense layers hold most "
        f"of its weights ({summaries['vgg16'].fc_share:.0%}); ResNet-50 ends in one small "
        "dense layer after a global average pool.",
        choices=tuple(s.name for s in ordered),
    )


def _photo_fc(b: _Builder) -> Exercise:
    arch = next(a for a in PUBLISHED if a.key == "fc224")
    summary = summarize(arch)
    millions = summary.total_params / 1e6
    h, w, c = arch.input_shape
    units = summary.rows[-1].output_shape[0]
    return Exercise(
        "photo_fc",
        f"One dense layer from a {h}×{w}×{c} colour photo to {units:,} units: how many "
        "million parameters? Within 1 million counts.",
        NUMBER, round(millions, 1),
        f"{h}×{w}×{c} = {h * w * c:,} inputs × {units:,} units + {units:,} biases = "
        f"{summary.total_params:,} ({millions:.1f} M), before learning anything: the reason "
        "images needed another idea.",
        tolerance=1.0,
    )


#: ``(id, builder)`` in the order the blog post introduces the ideas.
BUILDERS: tuple[tuple[str, Callable[[_Builder], Exercise]], ...] = (
    ("pixels", _pixels),
    ("receptive_field", _receptive_field),
    ("filter_peak", _filter_peak),
    ("feature_shape", _feature_shape),
    ("padding", _padding),
    ("stride", _stride),
    ("pool_example", _pool_example),
    ("relu_zeroed", _relu_zeroed),
    ("flatten_size", _flatten_size),
    ("conv1_params", _conv1_params),
    ("fc_params", _fc_params),
    ("shift", _shift),
    ("lineage", _lineage),
    ("photo_fc", _photo_fc),
)

EXERCISE_IDS: tuple[str, ...] = tuple(key for key, _ in BUILDERS)


def build_exercises(subject: Subject, seed: int = 0,
                    ids: tuple[str, ...] | None = None) -> tuple[Exercise, ...]:
    """Measure every question's answer (or only those in ``ids``), in the post's order.

    Raises:
        KeyError: an id in ``ids`` is not a known question.
        ValueError: the test set is empty.
    """
    wanted = EXERCISE_IDS if ids is None else ids
    for key in wanted:
        if key not in EXERCISE_IDS:
            raise KeyError(key)
    builder = _Builder(subject, seed, seeded_example(subject, seed))
    return tuple(build(builder) for key, build in BUILDERS if key in wanted)


def subject_of(workspace: Workspace) -> Subject:
    """The questions' subject in a session: its FC, CNN and test digits."""
    split = workspace.split
    return Subject(workspace.fc.model, workspace.cnn.model, split.x_test, split.y_test,
                   split.class_names, workspace.fc.status, workspace.cnn.status)
