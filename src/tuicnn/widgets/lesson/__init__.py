"""Widgets of the guided lesson (``L``)."""
