"""What imagecache remembers about each image it has seen.

One :class:`ImageState` per image (keyed by ``id``, dropped with the image):
the :class:`~imagecache.check.Reference` of the file(s) it corresponds to, the
arrays handed out for it with their digests (:class:`Mark`), which array holds
its content, the user's override, and the temporaries written for it.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

from . import tempfiles

__all__ = ["ImageState", "Mark", "state_of", "image_files"]


@dataclass
class Mark:
    """An array handed out for an image, as it was when handed out.

    The array is edited iff its digest differs from :attr:`digest`.
    :attr:`version` is the image's content version the array's values were
    derived from; an array whose version is older than the image's is stale
    (another array's edit became the content since).
    """

    array: weakref.ref
    digest: bytes
    version: int
    source: object = None  # data key of the proxy it was read from, while unedited


class ImageState:
    """Per-image bookkeeping.

    Attributes
    ----------
    reference : Reference or None
        The file(s) the image corresponds to, as last checked.
    unverified : bool
        The reference must be rebuilt from the file(s) before it is trusted
        (a plain ``nib.load`` image seen for the first time, a save).
    marks : dict
        ``"data"`` (the ``get_data()`` array) or ``("fdata", dtype.str)``
        (a ``get_fdata()`` cache) -> :class:`Mark`.
    content : numpy.ndarray or None
        The array that is the image's content when it is not ``img._dataobj``
        (an edited ``get_fdata()`` array); None: the content is ``_dataobj``.
    version : int
        Increases each time an edit becomes the image's content.
    forced_dirty : bool
        ``set_dirty(img, True)`` in force.
    temps : OrderedDict
        State key -> (paths, file identities) of temporaries written.
    owned : list
        Every file written for the image, removed with it.
    """

    __slots__ = (
        "lock", "reference", "unverified", "marks", "content", "version", "forced_dirty",
        "temps", "owned", "paths", "seen", "__weakref__",
    )

    def __init__(self):
        self.lock = threading.RLock()
        self.reference = None
        self.unverified = True
        self.marks: dict = {}
        self.content = None
        self.version = 0
        self.forced_dirty = False
        self.temps: OrderedDict = OrderedDict()
        self.owned: list = []
        self.paths: tuple | None = None  # the image's files when last verified
        self.seen: tuple | None = None  # their identities then (a file that reappears is noticed)


_states: dict[int, ImageState] = {}
_states_lock = threading.Lock()


def _forget(key: int, state: ImageState) -> None:
    _states.pop(key, None)
    tempfiles.remove(state.owned)


def state_of(img) -> ImageState:
    """The state of ``img``, created on first sight (then unverified)."""
    state = _states.get(id(img))
    if state is None:
        with _states_lock:
            state = _states.get(id(img))
            if state is None:
                state = _states[id(img)] = ImageState()
                # Removes the temporaries with the image, and at interpreter exit.
                weakref.finalize(img, _forget, id(img), state)
    return state


def image_files(img) -> tuple[str, ...]:
    """Absolute paths of all files of ``img`` (image first), ``()`` if it has none."""
    fmap = getattr(img, "file_map", None) or {}
    image = fmap.get("image")
    if image is None or image.filename is None:
        return ()
    paths = [os.path.abspath(image.filename)]
    for key, holder in fmap.items():
        if key != "image" and holder.filename is not None:
            p = os.path.abspath(holder.filename)
            if p not in paths:
                paths.append(p)
    return tuple(paths)
