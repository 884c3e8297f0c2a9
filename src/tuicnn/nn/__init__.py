"""The NumPy engine: layers, models, Adam, training events and traces. No UI imports here.

Import names from the submodule that defines them (``from tuicnn.nn.model import
build_cnn``): this face stays empty so that importing a pure-Python part (the training
events, the config limits, the shape helpers) does not import NumPy, and the app's first
frame does not wait for it.
"""
