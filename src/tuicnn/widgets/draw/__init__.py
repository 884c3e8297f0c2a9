"""Widgets that serve only the Draw tab."""
