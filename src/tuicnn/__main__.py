"""``python -m tuicnn``: the same entry point as the ``tuicnn`` command."""

from tuicnn.cli import main

raise SystemExit(main())
