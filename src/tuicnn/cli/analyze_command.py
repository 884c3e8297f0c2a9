"""``tuicnn analyze``: where each net fails, and what it looks at: the Mistakes tab's twin.

Takes the FC and CNN from a model file (``--load``) or trains them first with exactly the
options and code of ``tuicnn train`` (its parser, checks, split and models; ``--save`` works
too). Then prints, per model, the test set's confusion matrix (``matrix[true][pred]``),
per-class accuracy, the most confused pairs and the accuracy (= trace / total), and which
confusions the CNN fixes or adds. ``--index I`` instead looks at one test digit (optionally
moved by ``--dx``/``--dy``): both nets' probabilities and, with ``--saliency`` and
``--occlusion``, their maps. ``--cell TRUE PRED`` (with ``--of`` and ``--keep``) lists the
digits of one matrix cell worst first, like the tab's gallery. ``--channels`` adds the test
digits that excite each conv2 channel most.

With ``--load`` the test split is drawn with the models' own seed, as the app does, so the
test digits are ones they were not trained on.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

import numpy as np

from tuicnn.cli import report, train_command
from tuicnn.cli.common import UsageError, load_records
from tuicnn.data.dataset import Split
from tuicnn.data.transforms import shift_images
from tuicnn.lessons import channel_top, confusion, occlusion, saliency
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import BatchEnd, EpochEnd
from tuicnn.nn.model import Sequential
from tuicnn.nn.training import train as train_model
from tuicnn.session.workspace import ModelRecord

HELP = "confusion matrices, saliency and occlusion for the FC and the CNN"
DESCRIPTION = ("Evaluate the FC and the CNN (loaded with --load, or trained first with the "
               "options of 'tuicnn train') on the test set: confusion matrices, per-class "
               "accuracy, the most confused pairs; or, with --index, what each net looks at "
               "in one test digit.")

#: ``tuicnn train`` options that mean nothing with ``--load`` (nothing is trained).
TRAINING_OPTIONS = ("epochs", "batch_size", "hidden", "filters", "lr", "train_size",
                    "export_history", "save")
MAX_SHIFT = 27


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """``tuicnn train``'s options, plus what to analyse."""
    train_command.configure_parser(parser)
    for action in parser._actions:  # argparse has no public way to re-word an option's help
        if "--json" in action.option_strings:
            action.help = "print one JSON object on stdout, nothing else"
    add = parser.add_argument
    add("--load", metavar="FILE", help="analyse the FC and CNN saved in FILE (by 'tuicnn "
        "train --save' or the app's ctrl+s) instead of training new ones")
    add("--index", type=int, metavar="I", help="look at test digit I (0-based) instead of "
        "the whole test set")
    add("--dx", type=int, default=0, metavar="N", help="with --index: move the digit N "
        "pixels right (negative: left)")
    add("--dy", type=int, default=0, metavar="N", help="with --index: move the digit N "
        "pixels down (negative: up)")
    add("--saliency", action="store_true", help="with --index: each net's gradient saliency "
        "|d score(true class)/d pixel|, a 28x28 map")
    add("--occlusion", action="store_true", help="with --index: each net's drop in p(true "
        f"class) when a {occlusion.PATCH}x{occlusion.PATCH} patch centred on each pixel is "
        "blanked, a 28x28 map")
    add("--channels", action="store_true", help="also list the test digits (and positions) "
        "that excite each conv2 channel most")
    add("--cell", type=int, nargs=2, metavar=("TRUE", "PRED"), help="list the test digits of "
        "one matrix cell, worst (highest loss) first: the Mistakes tab's gallery")
    add("--of", choices=("fc", "cnn", "diff"), default="fc", help="with --cell: whose matrix "
        "(diff: digits either net put there; default: fc)")
    add("--keep", choices=confusion.FILTERS, default=None, help="list only the digits one net "
        "gets right (with --cell: of that cell; without: of the whole test set)")
    parser.set_defaults(run=run_analyze)


def _check(args: argparse.Namespace) -> None:
    """Option combinations that cannot run, before anything is loaded or trained.

    Raises:
        UsageError: one line naming the option.
    """
    if args.model != "both":
        raise UsageError("analyze compares the FC and the CNN: --model must be both")
    if args.index is not None and (args.cell is not None or args.keep is not None):
        raise UsageError("--index looks at one digit; --cell and --keep list digits: "
                         "use one or the other")
    if args.cell is not None and not all(0 <= c <= 9 for c in args.cell):
        raise UsageError(f"--cell {args.cell[0]} {args.cell[1]}: classes go from 0 to 9")
    if args.index is None:
        for flag in ("saliency", "occlusion"):
            if getattr(args, flag):
                raise UsageError(f"--{flag} needs --index I (the test digit to look at)")
        if args.dx or args.dy:
            raise UsageError("--dx and --dy need --index I (the test digit to move)")
    for name in ("dx", "dy"):
        if abs(getattr(args, name)) > MAX_SHIFT:
            raise UsageError(f"--{name} must be between -{MAX_SHIFT} and {MAX_SHIFT}")
    if args.load is not None:
        parser = argparse.ArgumentParser()
        train_command.configure_parser(parser)
        for name in TRAINING_OPTIONS:
            if getattr(args, name) != parser.get_default(name):
                raise UsageError(f"--{name.replace('_', '-')} does not apply with --load: "
                                 "the saved models are not trained again")


def _loaded(args: argparse.Namespace) -> tuple[dict[str, Sequential], Split]:
    """The models in ``--load`` and the test split drawn with their seed.

    Raises:
        UsageError: the model file's one-sentence error, or a ``--seed`` other than theirs.
    """
    records = load_records(args.load)
    seed = records[0].seed
    if args.seed not in (0, seed):
        raise UsageError(f"--seed does not apply with --load: the test split is drawn with "
                         f"the models' own seed ({seed})")
    args.seed = seed
    models = {record.model.kind: record.model for record in records}
    return models, train_command.training_split(args)


def _trained(args: argparse.Namespace, err: TextIO) -> tuple[dict[str, Sequential], Split]:
    """Train the FC and the CNN as ``tuicnn train`` would (and ``--save`` them if asked)."""
    config: TrainConfig = train_command.training_config(args)
    train_command.check_outputs(args)
    split = train_command.training_split(args)
    records = [ModelRecord(model, config=config) for model in train_command.new_models(args)]
    bar = report.ProgressBar(err, enabled=err.isatty())
    try:
        for record in records:
            for event in train_model(record.model, split.x_train, split.y_train,
                                     split.x_test, split.y_test, config):
                if isinstance(event, BatchEnd):
                    bar.update(event)
                elif isinstance(event, EpochEnd):
                    record.history.append(event)
    finally:
        bar.clear()
    for line in train_command.write_outputs(args, records):
        if not args.json:
            print(line, file=err)
    return {record.model.kind: record.model for record in records}, split


def run_analyze(args: argparse.Namespace, out: TextIO | None = None,
                err: TextIO | None = None) -> int:
    """Run ``tuicnn analyze``; return its exit code (0).

    Raises:
        UsageError: a bad option, model file, data or index (one line, exit 2).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    _check(args)
    models, split = _loaded(args) if args.load is not None else _trained(args, err)
    if args.cell is not None or args.keep is not None:
        result = gallery(models, split, args.cell, args.of, args.keep or "all")
        text = json.dumps(result) if args.json else gallery_text(result, split.class_names)
    elif args.index is not None:
        result = look(models, split, args.index, args.dx, args.dy, args.saliency,
                      args.occlusion)
        text = json.dumps(result) if args.json else look_text(result, split.class_names)
    else:
        result = analysis(models, split, args.channels)
        text = json.dumps(result) if args.json else analysis_text(result, split.class_names)
    out.write(text + "\n")
    out.flush()
    return 0


def analysis(models: dict[str, Sequential], split: Split, channels: bool = False) -> dict:
    """The whole-test-set analysis as ``--json`` prints it."""
    evaluations = {kind: confusion.evaluate(models[kind], split.x_test, split.y_test,
                                            split.n_classes) for kind in confusion.KINDS}
    fixes, adds = confusion.fixes_and_adds(evaluations["fc"].matrix, evaluations["cnn"].matrix)
    result = {
        "data": {"source": split.source, "n_test": split.n_test,
                 "class_names": list(split.class_names)},
        "models": {kind: {"label": report.model_label(models[kind]),
                          **confusion.evaluation_json(evaluations[kind])}
                   for kind in confusion.KINDS},
        "cnn_fixes": [confusion.pair_json(p) for p in fixes],
        "cnn_adds": [confusion.pair_json(p) for p in adds],
    }
    if channels:
        maps = channel_top.activations(models["cnn"], split.x_test)
        result["conv2_channels"] = [
            [{"index": hit.index, "row": hit.row, "col": hit.col, "value": hit.value,
              "field": list(channel_top.receptive_field(models["cnn"], hit.row, hit.col))}
             for hit in channel_top.top_hits(maps, channel)]
            for channel in range(maps.shape[-1])
        ]
    return result


def gallery(models: dict[str, Sequential], split: Split, cell: list[int] | None, of: str,
            keep: str) -> dict:
    """The digits of one cell (or the whole test set), worst first, as ``--json`` prints them."""
    evaluations = {kind: confusion.evaluate(models[kind], split.x_test, split.y_test,
                                            split.n_classes) for kind in confusion.KINDS}
    kind = of if cell is not None else "diff"
    true, pred = cell if cell is not None else (None, None)
    indices = confusion.gallery(evaluations, split.y_test, kind, true, pred, keep)
    digits = []
    for index in indices.tolist():
        entry: dict = {"index": index, "true": int(split.y_test[index])}
        for name, evaluation in evaluations.items():
            guess = int(evaluation.predictions[index])
            entry[name] = {"prediction": guess,
                           "probability": float(evaluation.probabilities[index, guess]),
                           "loss": float(evaluation.losses[index])}
        digits.append(entry)
    return {"cell": cell, "of": kind, "keep": keep, "digits": digits}


def gallery_text(result: dict, names: list[str] | tuple[str, ...]) -> str:
    """The gallery as ASCII lines."""
    cell = result["cell"]
    who = "the FC or the CNN" if result["of"] == "diff" else result["of"].upper()
    where = ("the whole test set" if cell is None else
             f"true {names[cell[0]]}, predicted {names[cell[1]]} by {who}")
    lines = [f"{len(result['digits'])} test digits, {where}, keep {result['keep']}, worst first"]
    for d in result["digits"]:
        fc, cnn = d["fc"], d["cnn"]
        lines.append(f"#{d['index']:<5} true {names[d['true']]}  FC {names[fc['prediction']]} "
                     f"{fc['probability']:.0%}  CNN {names[cnn['prediction']]} "
                     f"{cnn['probability']:.0%}")
    return "\n".join(lines)


def look(models: dict[str, Sequential], split: Split, index: int, dx: int = 0, dy: int = 0,
         with_saliency: bool = False, with_occlusion: bool = False) -> dict:
    """Both nets on test digit ``index`` (moved ``dx``, ``dy``), as ``--json`` prints it.

    Raises:
        UsageError: ``index`` is not a test-set row.
    """
    if not 0 <= index < split.n_test:
        raise UsageError(f"--index {index} is out of range: the test set has {split.n_test} "
                         f"digits, 0 to {split.n_test - 1}")
    image = shift_images(split.x_test[index : index + 1], dx, dy)[0]
    true = int(split.y_test[index])
    result: dict = {"index": index, "true": true, "dx": dx, "dy": dy}
    for kind in confusion.KINDS:
        model = models[kind]
        probabilities = model.predict_proba(image[None])[0]
        entry: dict = {"prediction": int(probabilities.argmax()),
                       "probabilities": [float(p) for p in probabilities]}
        if with_saliency:
            entry["saliency"] = {"method": saliency.METHOD, "target": true,
                                 "map": saliency.saliency(model, image, true).tolist()}
        if with_occlusion:
            found = occlusion.occlusion_map(model, image, true)
            entry["occlusion"] = {"method": occlusion.METHOD, "target": true,
                                  "patch": found.size, "base": found.base,
                                  "map": found.drops.tolist()}
        result[kind] = entry
    return result


def matrix_text(matrix: list[list[int]], names: list[str] | tuple[str, ...]) -> list[str]:
    """A confusion matrix as ASCII rows: true class down, predicted class across."""
    width = max(4, max(len(str(v)) for row in matrix for v in row) + 1)
    lines = ["true\\pred" + "".join(f"{str(c)[:width - 1]:>{width}}" for c in range(len(names)))]
    lines += [f"{t:>9}" + "".join(f"{v:>{width}}" for v in row) for t, row in enumerate(matrix)]
    return lines


def analysis_text(result: dict, names: list[str] | tuple[str, ...]) -> str:
    """The analysis as a readable ASCII report."""
    lines = [f"Data: {result['data']['source']}, {result['data']['n_test']:,} test images"]
    for kind in confusion.KINDS:
        model = result["models"][kind]
        lines += ["", f"{model['label']}: {model['accuracy']:.1%} test accuracy "
                  f"({model['correct']}/{model['total']})"]
        lines += matrix_text(model["matrix"], names)
        lines.append("per-class accuracy: " + "  ".join(
            f"{names[c]} {'-' if a is None else f'{a:.0%}'}"
            for c, a in enumerate(model["per_class_accuracy"])))
        lines.append("most confused (true->pred): " + pairs_text(model["most_confused"], names))
    lines += ["", "CNN fixes (fewer than the FC): " + pairs_text(result["cnn_fixes"], names),
              "CNN adds (more than the FC):   " + pairs_text(result["cnn_adds"], names)]
    for channel, hits in enumerate(result.get("conv2_channels", [])):
        lines.append(f"conv2 channel {channel}: " + ", ".join(
            f"#{h['index']} at ({h['row']},{h['col']}) {h['value']:.2f}" for h in hits[:5]))
    return "\n".join(lines)


def pairs_text(pairs: list[dict], names: list[str] | tuple[str, ...]) -> str:
    if not pairs:
        return "none"
    return ", ".join(f"{names[p['true']]}->{names[p['pred']]} x{p['count']}" for p in pairs)


def look_text(result: dict, names: list[str] | tuple[str, ...]) -> str:
    """One digit: each net's prediction and, if computed, a summary of its maps."""
    lines = [f"Test digit #{result['index']}, true class {names[result['true']]}, moved "
             f"{result['dx']} px right and {result['dy']} px down"]
    for kind in confusion.KINDS:
        entry = result[kind]
        pred = entry["prediction"]
        lines.append(f"{kind.upper():>3}: says {names[pred]} ({entry['probabilities'][pred]:.1%})"
                     f", p(true) {entry['probabilities'][result['true']]:.1%}")
        if "saliency" in entry:
            sal = np.array(entry["saliency"]["map"])
            row, col = np.unravel_index(sal.argmax(), sal.shape)
            lines.append(f"     saliency: largest {sal.max():.3g} at row {row}, col {col}")
        if "occlusion" in entry:
            occ = np.array(entry["occlusion"]["map"])
            row, col = np.unravel_index(occ.argmax(), occ.shape)
            lines.append(f"     occlusion: largest drop {occ.max():.1%} with the patch at row "
                         f"{row}, col {col}")
    if "saliency" in result["fc"] or "occlusion" in result["fc"]:
        lines.append("(add --json for the full 28x28 maps)")
    return "\n".join(lines)
