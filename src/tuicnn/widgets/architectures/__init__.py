"""Widgets that serve only the Architectures tab."""
