"""GNU coreutils: a tiny, real tool family, used by the tests and the docs.

Offers :class:`cp` (copy an image), :class:`sha256sum` (digest of a file) and
:class:`wc` (size of a file in bytes).
"""

from .family import COREUTILS  # noqa: F401  (the family, for wrappers added later)
from .tools import cp, sha256sum, wc

__all__ = ["cp", "sha256sum", "wc"]
