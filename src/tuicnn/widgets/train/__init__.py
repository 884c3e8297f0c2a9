"""Widgets that serve only the Train tab."""
