"""A quick end-to-end check that the installed tuicnn works: the app and the CLI.

CI runs it in a second environment with every dependency at its declared lower bound
(``.ci/run``), where the full test suite cannot run (its snapshots are drawn with the pinned
Textual). It takes a few seconds:

1. opens the app headless at 80×24 (``App.run_test``) on 100 training and 100 test digits,
   visits every tab by its function key, then on the Train tab steps the epochs down to 1
   and trains both models with ``t``, and waits for the run's verdict;
2. runs ``tuicnn train --epochs 1 --json`` on the same digits and checks every line is an
   epoch object with the fields the README promises, and that the app's run reached the
   same test accuracies (same data, seed and settings).

Run it with the interpreter of the environment to check: ``.venv/bin/python scripts/smoke.py``.
Prints one line per check and exits with 1 at the first failure.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from importlib.metadata import version

from tuicnn.nn.kinds import display_name

SIZE = (80, 24)
EPOCH_FIELDS = {"model", "epoch", "epochs", "train_loss", "train_acc", "test_loss", "test_acc",
                "seconds"}
#: The CNN's epoch lines also say how far conv1 moved from its start.
CNN_FIELDS = {"conv1_change", "conv1_init_corr"}


async def check_app() -> str:
    """Visit every tab by key, then train on the Train tab; return what the verdict says."""
    from tuicnn.app import TuicnnApp
    from tuicnn.data.dataset import bundled_split
    from tuicnn.screens.main import TABS
    from tuicnn.widgets.train.run_summary import RunSummary

    app = TuicnnApp(bundled_split(train_size=100, test_size=100, seed=0))
    async with app.run_test(size=SIZE) as pilot:
        for pane, _title, _class_name, key in (*TABS[1:], TABS[0]):
            await pilot.press(key)
            await pilot.pause()
            shown = app.screen.active_tab
            if shown != pane:
                raise AssertionError(f"{key} showed the {shown} tab, not {pane}")
        app.screen.query_one("#set-epochs Input").focus()
        await pilot.press(*["left"] * 4)  # 5 epochs -> 1, as a user would step it down
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        verdict = str(app.screen.query_one(RunSummary).render())
        if not verdict.startswith("Done"):
            raise AssertionError(f"the run did not finish: {verdict!r}")
        return verdict.splitlines()[0]


def check_cli() -> dict[str, float]:
    """``tuicnn train --epochs 1 --json`` prints one JSON object per model and epoch.

    Returns:
        Each model's test accuracy, e.g. ``{"fc": 0.19, "cnn": 0.29}``.
    """
    command = [sys.executable, "-m", "tuicnn", "train", "--epochs", "1", "--train-size", "100",
               "--test-size", "100", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise AssertionError(f"exit code {result.returncode}: {result.stderr.strip()}")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    if [line["model"] for line in lines] != ["fc", "cnn"]:
        raise AssertionError(f"expected an FC line then a CNN line, got {result.stdout!r}")
    for line in lines:
        expected = EPOCH_FIELDS | (CNN_FIELDS if line["model"] == "cnn" else set())
        if set(line) != expected:
            raise AssertionError(f"unexpected fields: {sorted(line)}")
    return {line["model"]: line["test_acc"] for line in lines}


def main() -> int:
    names = ("textual", "textual-plotext", "plotext", "numpy", "threadpoolctl")
    print("versions: " + ", ".join(f"{name} {version(name)}" for name in names))
    try:
        verdict = asyncio.run(check_app())
        print(f"app: every tab opens; {verdict}")
        accuracy = check_cli()
        print(f"cli: tuicnn train --json: FC {accuracy['fc']:.1%}, CNN {accuracy['cnn']:.1%}")
        for kind in ("fc", "cnn"):
            if f"{display_name(kind)} {accuracy[kind]:.1%}" not in verdict:
                raise AssertionError(f"the app and the CLI disagree about the {kind}")
    except Exception as error:  # report any failure as one line and a non-zero exit
        print(f"smoke test FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
