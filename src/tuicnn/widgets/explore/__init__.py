"""Widgets that serve only the Explore tab."""
