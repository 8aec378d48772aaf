"""promptbot: a searchable library of image-generation prompts, served on Discord."""

__version__ = "0.1.0"
