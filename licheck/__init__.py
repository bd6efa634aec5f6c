"""licheck: may this model be distilled? Provenance graphs of Hugging Face models checked against licence rules."""

__version__ = "0.2.0"
SCHEMA_VERSION = "1.0"
