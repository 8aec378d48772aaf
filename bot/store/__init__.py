"""Stage 2, the store: the SQLite index of the library.

Storage only, rebuildable at any time from the library files: the request path
never reads it (it reads the catalog's immutable snapshot).  ``Index`` refreshes
incrementally (unchanged files are not read, unchanged bytes are not parsed);
``schema`` holds the tables and their migrations.
"""

from bot.store.index import Index, RefreshSummary

__all__ = ["Index", "RefreshSummary"]
