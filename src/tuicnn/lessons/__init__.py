"""Lesson logic: what each view computes from the engine and the data, without Textual.

Every module here turns models, digits and settings into the numbers, grids and sentences a
view shows; the widgets and tabs only draw them. Like ``nn`` and ``data``, nothing here may
import Textual (a test checks), so every view's logic also serves the headless CLI.
"""
