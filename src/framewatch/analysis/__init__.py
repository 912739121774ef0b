"""Built-in analysis stages; importing this package registers them with the pipeline."""

from . import language, sentences

__all__ = ["language", "sentences"]
