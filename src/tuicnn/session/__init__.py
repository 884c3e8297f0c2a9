"""The session: the data and the two models in use, and the files they are saved to.

No Textual here: the app and the CLI share it.
"""
