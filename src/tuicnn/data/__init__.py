"""Data layer: the bundled MNIST subset, IDX files, and train/test splits (no Textual here).

Import names from the submodule that defines them (``from tuicnn.data.errors import
DataError``): this face stays empty so that the light parts do not import NumPy.
"""
