"""The model: text normalisation, hand-made signals, the scikit-learn pipeline, vectorised scoring, operating points.

Nothing here touches Redis, MongoDB or the registry; training, serving and the CLI build on it.
"""
