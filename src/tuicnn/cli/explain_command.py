"""``tuicnn explain``: the Mechanics tab's numbers, headless (one topic per sub-command).

* ``conv-step``: one output cell of conv1 or conv2 with its window, weights, products, bias,
  sum and ReLU, beside the value the model's own forward pass gave that cell.
* ``receptive-field``: the input box a cell of conv1/pool1/conv2/pool2 can see, and where
  the gradient of that cell with respect to the input is nonzero.
* ``conv-lab``: output size and visited window positions for kernel, padding, stride and
  dilation on a 28×28 input.
* ``weight-sharing``: a conv1 filter's weights and an FC hidden unit's weights at two places.

Models: the CNN (and FC) saved in ``--load FILE``, else the seeded untrained ones the app
starts with (seed 0), and the output says which. Images: the bundled test digits, split with
the models' seed, as the app and ``tuicnn shift-test --load`` draw them.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from tuicnn.cli.common import UsageError, load_records

HELP = "show the numbers behind a convolution step, a receptive field, the conv lab"
DESCRIPTION = ("Print the numbers the Mechanics tab shows: one convolution step, a cell's "
               "receptive field, the output size for kernel/padding/stride/dilation, or weight "
               "sharing against the FC's first layer. Add --json for machine-readable output.")

TOPICS = ("conv-step", "receptive-field", "conv-lab", "weight-sharing")
IMAGE_SIZE = 28


def parse_cell(text: str) -> tuple[int, int]:
    """``"12,7"`` → ``(12, 7)``; argparse turns the ``ValueError`` into a usage error."""
    parts = text.replace(" ", "").split(",")
    if len(parts) != 2 or not all(part.lstrip("-").isdigit() for part in parts):
        raise argparse.ArgumentTypeError(f"expected ROW,COL (two whole numbers), got {text!r}")
    return int(parts[0]), int(parts[1])


def _model_options(parser: argparse.ArgumentParser, image: bool = True) -> None:
    parser.add_argument("--load", metavar="FILE", help="use the models saved in FILE (default: "
                        "the seeded untrained models the app starts with)")
    if image:
        parser.add_argument("--index", type=int, default=0, metavar="I",
                            help="test image I of the split (default: 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the topics as sub-commands of ``explain``."""
    topics = parser.add_subparsers(dest="topic", metavar="TOPIC")
    step = topics.add_parser("conv-step", help="one output cell of conv1 or conv2, computed")
    step.add_argument("--layer", default="conv1", help="conv1 or conv2 (default: conv1)")
    step.add_argument("--channel", type=int, default=0, metavar="C",
                      help="output channel (filter) (default: 0)")
    step.add_argument("--at", type=parse_cell, default=(14, 14), metavar="ROW,COL",
                      help="the output cell (default: 14,14)")
    _model_options(step)
    field = topics.add_parser("receptive-field", help="the input box a cell can see")
    field.add_argument("--layer", default="pool2", help="conv1, pool1, conv2 or pool2 "
                       "(default: pool2)")
    field.add_argument("--at", type=parse_cell, default=(3, 3), metavar="ROW,COL",
                       help="the cell (default: 3,3)")
    field.add_argument("--channel", type=int, default=0, metavar="C",
                       help="channel whose input gradient is measured (default: 0)")
    _model_options(field)
    lab = topics.add_parser("conv-lab", help="output size and window positions")
    for name, default in (("kernel", 3), ("padding", 1), ("stride", 1), ("dilation", 1)):
        lab.add_argument(f"--{name}", type=int, default=default, metavar=name[0].upper(),
                         help=f"(default: {default})")
    lab.add_argument("--json", action="store_true", help="print one JSON object")
    sharing = topics.add_parser("weight-sharing", help="CNN vs FC weights at two places")
    sharing.add_argument("--filter", type=int, default=0, metavar="F",
                         help="conv1 filter (default: 0)")
    sharing.add_argument("--unit", type=int, default=0, metavar="U",
                         help="FC hidden unit (default: 0)")
    sharing.add_argument("--at", type=parse_cell, default=(8, 8), metavar="ROW,COL",
                         help="first window centre (default: 8,8)")
    sharing.add_argument("--at2", type=parse_cell, default=(18, 16), metavar="ROW,COL",
                         help="second window centre (default: 18,16)")
    _model_options(sharing)
    parser.set_defaults(run=run_explain)
    return parser


def run_explain(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run ``tuicnn explain TOPIC`` and return 0.

    Raises:
        UsageError: no topic, a bad position, layer, channel, setting or model file.
    """
    out = out or sys.stdout
    topic = getattr(args, "topic", None)
    if topic is None:
        raise UsageError(f"say what to explain: {', '.join(TOPICS)} "
                         "(e.g. 'tuicnn explain conv-step --json')")
    try:
        if topic == "conv-lab":
            result, text = _conv_lab(args)
        else:
            session = _session(args)
            runner = {"conv-step": _conv_step, "receptive-field": _receptive_field,
                      "weight-sharing": _weight_sharing}[topic]
            result, text = runner(args, session)
    except ValueError as error:
        raise UsageError(str(error)) from None
    out.write((json.dumps(result) if args.json else text) + "\n")
    return 0


class _Session:
    """The models and the test image an explanation is about."""

    def __init__(self, args: argparse.Namespace) -> None:
        from tuicnn.data.dataset import bundled_split
        from tuicnn.nn.config import DEFAULT_FILTERS, DEFAULT_HIDDEN
        from tuicnn.nn.model import build_cnn, build_fc
        from tuicnn.session.workspace import START_SIZE

        if args.load is not None:
            fc, cnn = load_records(args.load)
            self.fc, self.cnn, seed = fc.model, cnn.model, cnn.seed
            self.label = f"loaded from {args.load}: {cnn.status}".replace("·", "-")
        else:
            seed = 0
            self.fc = build_fc(DEFAULT_HIDDEN, seed=seed)
            self.cnn = build_cnn(DEFAULT_FILTERS, seed=seed)
            self.label = f"untrained (seed {seed})"
        self.split = bundled_split(START_SIZE, START_SIZE, seed=seed)
        index = getattr(args, "index", 0)
        if not 0 <= index < self.split.n_test:
            raise UsageError(f"--index must be between 0 and {self.split.n_test - 1} "
                             f"(got {index})")
        self.index = index

    @property
    def image(self):
        return self.split.x_test[self.index]

    @property
    def label_of_image(self) -> str:
        return self.split.class_names[int(self.split.y_test[self.index])]

    def trace(self):
        from tuicnn.nn.tracing import trace

        return trace(self.cnn, self.image)

    def header(self) -> dict:
        return {"model": self.label, "index": self.index, "label": self.label_of_image}


def _session(args: argparse.Namespace) -> _Session:
    return _Session(args)


def _grid(rows, width: int = 8) -> list[str]:
    return ["  ".join(f"{v:>{width}.4f}" for v in row) for row in rows]


def _conv_step(args: argparse.Namespace, session: _Session) -> tuple[dict, str]:
    from tuicnn.lessons.conv_step import conv_step as compute
    from tuicnn.lessons.conv_step import step_dict

    row, col = args.at
    step = compute(session.cnn, session.trace(), args.layer, args.channel, row, col)
    result = {**session.header(), **step_dict(step)}
    lines = [f"CNN: {session.label} - test image {session.index} (label {session.label_of_image})",
             f"{step.layer}, filter {step.channel}, output cell ({row}, {col}); window starts at "
             f"input ({step.top}, {step.left}); 'pad' = zero padding outside the image"]
    for c in range(step.window.shape[0]):
        source = "image" if step.layer == "conv1" else f"pool1 channel {c}"
        lines.append(f"{source}: window x weights = products, sum "
                     f"{step.partial_sums[c]:+.4f}")
        for i in range(step.window.shape[1]):
            window = "  ".join("     pad" if step.padded[i, j] else f"{step.window[c, i, j]:8.4f}"
                               for j in range(step.window.shape[2]))
            weights = "  ".join(f"{v:8.4f}" for v in step.weights[c, i])
            products = "  ".join(f"{v:8.4f}" for v in step.products[c, i])
            lines.append(f"  {window}  |  {weights}  |  {products}")
    lines += [f"sum of products {step.partial_sums.sum():+.4f} + bias {step.bias:+.4f} = "
              f"{step.total:+.4f} (before ReLU)",
              f"ReLU: {step.relu:.4f}; the model's forward pass gave {step.map_value:.4f}"]
    return result, "\n".join(lines)


def _receptive_field(args: argparse.Namespace, session: _Session) -> tuple[dict, str]:
    from tuicnn.lessons.receptive_field import input_box, input_gradient, support_box
    from tuicnn.nn.architectures import app_architectures, summarize

    row, col = args.at
    box = input_box(session.cnn, args.layer, row, col)
    gradient = input_gradient(session.cnn, session.image, args.layer, args.channel, row, col)
    support = support_box(gradient)
    filters = session.cnn.layer("conv1").out_channels
    cnn_arch = app_architectures(128, filters)[1]
    rf = next(r.receptive_field for r in summarize(cnn_arch).rows if r.name == args.layer)
    result = {**session.header(), "layer": args.layer, "at": [row, col], "channel": args.channel,
              "box": box.as_dict(), "size": box.height * box.width,
              "architectures_receptive_field": rf,
              "gradient_nonzero_pixels": int((gradient != 0).sum()),
              "gradient_support": None if support is None else dict(
                  zip(("top", "left", "bottom", "right"), support, strict=True))}
    lines = [f"{args.layer} cell ({row}, {col}) sees input rows {box.top}-{box.bottom}, "
             f"columns {box.left}-{box.right}: {box.height}x{box.width} = "
             f"{box.height * box.width} pixels",
             f"receptive field {rf}x{rf} (as in the Architectures tab); "
             f"{'clipped at the image edge' if (box.height, box.width) != (rf, rf) else 'whole'}",
             f"CNN: {session.label} - test image {session.index}, channel {args.channel}: "
             f"the gradient of the cell is nonzero on {result['gradient_nonzero_pixels']} of "
             "those pixels"]
    return result, "\n".join(lines)


def _conv_lab(args: argparse.Namespace) -> tuple[dict, str]:
    from tuicnn.lessons.conv_lab import LabSettings, window_starts

    settings = LabSettings(args.kernel, args.padding, args.stride, args.dilation).check()
    size = settings.output_size(IMAGE_SIZE)  # raises when the window does not fit
    starts = window_starts(IMAGE_SIZE, settings)
    result = {"input": [IMAGE_SIZE, IMAGE_SIZE], "kernel": settings.kernel,
              "padding": settings.padding, "stride": settings.stride,
              "dilation": settings.dilation, "effective_kernel": settings.effective_kernel,
              "output_size": [size, size], "formula": settings.formula(IMAGE_SIZE),
              "window_starts": starts,
              "positions": [[r, c] for r in starts for c in starts]}
    lines = [settings.formula(IMAGE_SIZE),
             f"output {size}x{size}: the window's top-left corner visits rows and columns "
             f"{', '.join(map(str, starts))} (negative = in the zero padding), "
             f"{size * size} positions"]
    return result, "\n".join(lines)


def _weight_sharing(args: argparse.Namespace, session: _Session) -> tuple[dict, str]:
    from tuicnn.lessons.weight_sharing import sharing_dict, weight_sharing

    result = weight_sharing(session.cnn, session.fc, session.trace(), args.filter, args.unit,
                            args.at, args.at2)
    data = {**session.header(), **sharing_dict(result)}
    lines = [f"CNN: {session.label}; conv1 filter {result.filter_index} vs FC hidden unit "
             f"{result.unit}"]
    for name, side in (("A", result.a), ("B", result.b)):
        lines.append(f"{name} = 3x3 around ({side.row}, {side.col}):  CNN weights | FC weights")
        for cnn_row, fc_row in zip(side.cnn_weights, side.fc_weights, strict=True):
            fc_text = "  ".join("     off" if v != v else f"{v:8.4f}" for v in fc_row)
            lines.append(f"  {'  '.join(f'{v:8.4f}' for v in cnn_row)}  |  {fc_text}")
    lines += [f"CNN: same nine weights at A and B: {'yes' if result.cnn_same else 'no'}; "
              f"FC: {'same' if result.fc_same else 'different'} weights",
              f"conv1 has {result.conv_weights:,} weights "
              f"({' x '.join(map(str, result.conv_shape))}); the FC's first layer has "
              f"{result.fc_weights:,} ({' x '.join(map(str, result.fc_shape))})"]
    return data, "\n".join(lines)
