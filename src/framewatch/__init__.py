"""framewatch: evidence about contested stories from news articles and forum threads.

The public API; everything else is implementation and may change between releases.
"""

__version__ = "0.1.0"

from .batch import IngestSummary, ingest_into
from .config import Config, load_config
from .export import write_csv, write_jsonl
from .ingest import IngestError, IngestOptions, SourceResult, parse_text, read_sources
from .model import AnalysisRun, Document, IngestProblem, Span
from .pipeline import Pipeline, Stage, stage
from .store import open_store

__all__ = [
    "AnalysisRun",
    "Config",
    "Document",
    "IngestError",
    "IngestOptions",
    "IngestProblem",
    "IngestSummary",
    "Pipeline",
    "SourceResult",
    "Span",
    "Stage",
    "__version__",
    "ingest_into",
    "load_config",
    "open_store",
    "parse_text",
    "read_sources",
    "stage",
    "write_csv",
    "write_jsonl",
]
