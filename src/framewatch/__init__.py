"""framewatch: evidence about contested stories from news articles and forum threads."""

__version__ = "0.1.0"
