"""Built-in analysis stages; importing this package registers them with the pipeline."""

from . import actors, language, mentions, roles, sentences, techniques

__all__ = ["actors", "language", "mentions", "roles", "sentences", "techniques"]
