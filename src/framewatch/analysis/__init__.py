"""Built-in analysis stages; importing this package registers them with the pipeline."""

from . import actors, frames, language, mentions, narratives, roles, sentences, techniques

__all__ = ["actors", "frames", "language", "mentions", "narratives", "roles", "sentences", "techniques"]
