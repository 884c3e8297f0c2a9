"""Widgets that serve only the Mechanics tab."""
