"""Stage 2, the store: the SQLite index of the library.

Storage only, rebuildable at any time from the library files.  The request
path reads it only through a snapshot's ``reader.GenerationReader`` (one
generation, one read transaction: prompts by id on demand, and the parts the
layer above derived from that generation, e.g. the search index as bytes).
``Index`` refreshes incrementally (unchanged files are not read, unchanged
bytes are not parsed; ``parsing`` parses the rest, in a process pool when there
are many, and the results are written in batches in one transaction);
``schema`` holds the tables, their migrations and the index's
``application_id``; ``guard`` decides whether a file is ours to write, so that
a setting naming someone else's file never harms it.
"""

from bot.store.index import Index, RefreshSummary

__all__ = ["Index", "RefreshSummary"]
