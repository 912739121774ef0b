"""Built-in analysis stages; importing this package registers them with the pipeline."""

from . import (
    actors,
    claims,
    events,
    frames,
    language,
    mentions,
    narratives,
    roles,
    sentences,
    sentiment,
    techniques,
)

__all__ = ["actors", "claims", "events", "frames", "language", "mentions", "narratives", "roles", "sentences",
           "sentiment", "techniques"]
