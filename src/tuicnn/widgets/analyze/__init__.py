"""Widgets that serve only the Mistakes tab."""
