"""The peer-support paper as code: data model, analyses, rendering and build for one qualitative study."""

__version__ = "0.1.0"
