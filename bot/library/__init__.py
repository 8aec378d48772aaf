"""Stage 1, the library: files in, ``Prompt`` or problems out.

Pure: it reads the library folder and parses text, and knows nothing of SQLite,
search or Discord.  ``scan`` lists the library's files, ``parse`` turns one
document into a ``ParseResult`` (``frontmatter``, ``sections`` and ``fields`` are
its parts), ``load_library`` does both for a whole folder.
"""

from bot.library.parse import ID_MAX_LEN, MAX_FILE_BYTES, parse_document, prompt_id
from bot.library.scan import LibraryFile, load_library, read_capped, scan

__all__ = [
    "ID_MAX_LEN",
    "MAX_FILE_BYTES",
    "LibraryFile",
    "load_library",
    "parse_document",
    "prompt_id",
    "read_capped",
    "scan",
]
