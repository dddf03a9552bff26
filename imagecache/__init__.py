"""imagecache: hand command-line tools a file that corresponds exactly to an image.

The public API:

- :func:`load` -- load an image lazily, tracking the file it came from;
- :func:`as_filename` -- a file that corresponds exactly to an image: its own
  file while it still matches, else a temporary written once;
- :func:`prepare_file` -- the same, saying whether a temporary was written;
- :func:`plan_file` -- what :func:`prepare_file` would hand over, writing nothing;
- :func:`is_dirty` / :func:`set_dirty` -- ask, or override, the check;
- :func:`file_identity` -- the identity a file is trusted by (device, inode,
  size, mtime_ns, ctime_ns);
- :func:`image_fingerprint` -- a short string that changes when what a tool
  would receive for the image changes (for result caches);
- :func:`set_temp_dir` / :func:`get_temp_dir` -- where temporaries go;
- :class:`ImageCacheError` and its subclasses.
"""

from .errors import (
    ConflictingEditsError,
    ImageCacheError,
    ImageFileChangedError,
    NotAnImageError,
    TemporaryWriteError,
    TruncatedImageError,
    UnsupportedFormatError,
)
from .handoff import (
    PlannedFile, PreparedFile, as_filename, is_dirty, plan_file, prepare_file, set_dirty,
)
from .digests import file_identity
from .fingerprint import image_fingerprint
from .images import TrackedImage, load
from .tempfiles import get_temp_dir, set_temp_dir

__all__ = [
    "load",
    "as_filename",
    "prepare_file",
    "PreparedFile",
    "plan_file",
    "PlannedFile",
    "is_dirty",
    "set_dirty",
    "image_fingerprint",
    "set_temp_dir",
    "get_temp_dir",
    "TrackedImage",
    "file_identity",
    "ImageCacheError",
    "ConflictingEditsError",
    "ImageFileChangedError",
    "NotAnImageError",
    "TemporaryWriteError",
    "TruncatedImageError",
    "UnsupportedFormatError",
]
