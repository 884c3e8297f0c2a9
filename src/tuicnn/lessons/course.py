"""The guided lesson: the blog post's ideas in order, one step per question.

Each step is data: where to put the app (a tab by its pane id, and for the Explore tab a
view and the question's digit), two or three sentences on what to look at there, and the id
of the exercise (``lessons/exercises.py``) whose measured answer is revealed after the
learner predicts it. A step can point at any tab the main screen lists, new ones included,
by its pane id; the panel skips a place whose tab does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuicnn.lessons.exercises import EXERCISE_IDS


@dataclass(frozen=True)
class Place:
    """Where a step puts the app.

    Attributes:
        pane: the tab's pane id (``"explore"``), as in the main screen's ``TABS``.
        view: a view inside the tab (the Explore tab's ``"filters"``, ``"layers"``,
            ``"maxpool"``), or None to leave it as it is.
        show_example: True to show the question's test digit in the tab (Explore).
    """

    pane: str
    view: str | None = None
    show_example: bool = False


@dataclass(frozen=True)
class Step:
    """One step of the lesson.

    Attributes:
        id: the exercise asked at this step (also the step's key in the progress file).
        idea: the post's idea the step belongs to (``"Padding"``).
        title: the step's own title.
        place: where the app goes for it.
        look: what to look at there, in two or three sentences.
    """

    id: str
    idea: str
    title: str
    place: Place
    look: str


STEPS: tuple[Step, ...] = (
    Step("pixels", "Pixels: a list or an image?", "What the FC network is given",
         Place("draw"),
         "The Draw tab's grid is what both networks receive: 28×28 grey values. Press p "
         "there to see the digit as the nets see it. The FC network's first step forgets "
         "the grid and lays the rows end to end."),
    Step("receptive_field", "Local receptive field", "How much one unit sees",
         Place("architectures"),
         "A conv unit looks at a small window, not the whole image. In the Architectures "
         "tab, press n until the tuicnn CNN is selected: the RF column gives, for each "
         "layer, the width of the patch of the image one unit depends on."),
    Step("filter_peak", "A filter is a 3×3 pattern", "Which filter lights up",
         Place("explore", "filters", show_example=True),
         "Each card shows one conv1 filter's nine weights beside its response to the digit "
         "(after ReLU). Bright means the 3×3 pattern matched there. Compare the cards' "
         "brightest spots (] and [ step through the filters)."),
    Step("feature_shape", "Feature maps", "A stack of maps",
         Place("explore", "layers", show_example=True),
         "The Layers view follows the digit through the network: each filter turns the "
         "image into one map, and the maps are stacked. The table lists the shape after "
         "every step."),
    Step("padding", "Padding", "Keeping the border",
         Place("architectures"),
         "A 3×3 window centred on an edge pixel hangs off the image. The app's convs add "
         "a ring of zeros so that it can. Press c in the Architectures tab for the "
         "output-size calculator and try padding 0 and 1."),
    Step("stride", "Padding", "Steps bigger than one pixel",
         Place("architectures"),
         "The stride is how far the window jumps between positions. Try stride 2 in the "
         "calculator before you answer."),
    Step("pool_example", "Pooling", "Max-pool by hand",
         Place("explore", "maxpool", show_example=True),
         "The Max-pool view shows a 4×4 patch of a real ReLU map and its 2×2 max-pool: "
         "each 2×2 block keeps only its largest value (move the window with the arrows). "
         "The question uses the blog post's own made-up 4×4 numbers."),
    Step("relu_zeroed", "ReLU", "What ReLU throws away",
         Place("explore", "filters", show_example=True),
         "ReLU keeps positive values and turns negative ones into 0. The response maps "
         "here are after ReLU: the dark areas are where a filter's output was zero or "
         "below."),
    Step("flatten_size", "The pipeline", "From maps to a list",
         Place("explore", "layers", show_example=True),
         "Conv, ReLU and pool twice, then flatten and two dense layers. Scroll the Layers "
         "view to the table: each row is one stage and its output shape."),
    Step("conv1_params", "Weight sharing", "Parameters of conv1",
         Place("train"),
         "The Train tab counts both networks' parameters. A conv filter's weights are "
         "reused at every position of the image, so they are counted once."),
    Step("fc_params", "Weight sharing", "Parameters of the FC's first layer",
         Place("train"),
         "The FC network's first layer has a separate weight from every pixel to every "
         "hidden unit. Guess its size before you look at the Train tab's count."),
    Step("shift", "Translation tolerance", "Move the digit",
         Place("shift"),
         "The Shift tab moves every test digit a few pixels and measures both networks' "
         "accuracy (r runs it; train the models first in the Train tab for a fair test). "
         "The question is about one digit, the same one as in the Explore steps."),
    Step("lineage", "Architectures' lineage", "LeNet to ResNet",
         Place("architectures"),
         "The Architectures tab counts every layer of LeNet-5, AlexNet, VGG-16 and "
         "ResNet-50 from their shapes. Look at where the parameters sit: conv layers or "
         "dense layers."),
    Step("photo_fc", "Architectures' lineage", "Why images needed convolutions",
         Place("architectures"),
         "The first row, an FC layer on a 224×224 colour photo, is where the blog post "
         "started."),
)

assert [step.id for step in STEPS] == list(EXERCISE_IDS), "one step per exercise, in order"


def step_index(step_id: str | None) -> int:
    """Index of the step ``step_id`` (0 when unknown, e.g. from an older progress file)."""
    return next((i for i, step in enumerate(STEPS) if step.id == step_id), 0)
