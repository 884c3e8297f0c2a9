"""Packages whose public names are imported on first use (PEP 562).

``tuicnn.nn`` and ``tuicnn.data`` re-export names from their submodules. Importing them all
up front pulled NumPy (~60 ms) and the whole engine into every ``from tuicnn.nn import
BatchEnd``, including the imports the app needs for its first frame, which uses only the
pure-Python parts (training events, settings limits). With these hooks a package imports a
submodule the first time one of its names is asked for, and the first frame needs no NumPy.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str],
                 namespace: dict[str, Any]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``.

    Args:
        package: the package's ``__name__``.
        exports: public name -> the submodule (relative, without the dot) that defines it.
        namespace: the package's ``globals()``. Every exported name of a submodule is bound
            there when the submodule is first needed, so later lookups are plain attributes.
    """

    def __getattr__(name: str) -> Any:
        module_name = exports.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(f".{module_name}", package)
        for exported, source in exports.items():
            if source == module_name:
                namespace[exported] = getattr(module, exported)
        return namespace[name]

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
