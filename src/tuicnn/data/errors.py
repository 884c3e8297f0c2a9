"""The one exception the data layer raises."""

from __future__ import annotations


class DataError(Exception):
    """A data file or directory cannot be used.

    The message is a single human sentence that names the file and the problem, e.g.
    ``"train-labels-idx1-ubyte.gz is truncated: ..."``. The CLI prints it and the UI
    shows it as is, without a traceback, so it must make sense on its own.
    """
