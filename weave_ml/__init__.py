"""weave-ml: scores SMS and messenger texts for phishing (스미싱) for the weave app."""

__version__ = "0.1.0"
