"""MATLAB code from Python values: the text of ``matlabbatch`` jobs.

A job is a nested Python structure:

==========================  ===============================================
Python                      MATLAB
==========================  ===============================================
``str``                     char row ``'...'`` (quotes doubled; control
                            characters as ``char(N)``)
``bool``                    ``1`` / ``0`` (SPM's menus hold numbers)
``int``, ``float``          a number (``Inf``, ``-Inf``, ``NaN``)
list/tuple of numbers       row vector ``[1 2 3]``
list of rows of numbers     matrix ``[1 2 3; 4 5 6]``
:class:`Cell`               cell array, a column ``{a; b}`` (SPM's file
                            lists) or a row ``{a, b}`` (sessions)
``dict``                    struct: one assignment per field
list of dicts               struct array: ``x(1).f = ...; x(2).f = ...``
:class:`Code`               MATLAB code inserted as is
==========================  ===============================================
"""

from __future__ import annotations

import math
import numbers

__all__ = ["Cell", "Code", "literal", "assignments", "string"]


class Cell:
    """A MATLAB cell array.

    Parameters
    ----------
    items : iterable
        Its elements (any job value, cells included).
    row : bool, default False
        A 1-by-N row instead of an N-by-1 column.
    """

    __slots__ = ("items", "row")

    def __init__(self, items=(), row: bool = False):
        self.items = list(items)
        self.row = row

    def __eq__(self, other):
        return isinstance(other, Cell) and (self.items, self.row) == (other.items, other.row)

    def __repr__(self) -> str:
        return f"Cell({self.items!r}{', row=True' if self.row else ''})"


class Code(str):
    """MATLAB code inserted verbatim (e.g. ``fullfile(spm('Dir'), 'tpm')``)."""


def string(text: str) -> str:
    """A MATLAB char literal for ``text``, exact for any character.

    >>> string("it's")
    "'it''s'"
    >>> string("a\\nb")
    "['a' char(10) 'b']"
    """
    parts, chunk = [], []
    for ch in text:
        if ord(ch) < 32 or ord(ch) == 127:  # a literal cannot hold these
            if chunk:
                parts.append("'" + "".join(chunk) + "'")
                chunk = []
            parts.append(f"char({ord(ch)})")
        else:
            chunk.append("''" if ch == "'" else ch)
    if chunk or not parts:
        parts.append("'" + "".join(chunk) + "'")
    return parts[0] if len(parts) == 1 else "[" + " ".join(parts) + "]"


def _number(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    return repr(value)  # shortest text that reads back to the same double


def _is_number(value) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, complex)


def literal(value) -> str:
    """The MATLAB expression of a job value that is not a struct."""
    if isinstance(value, Code):
        return str(value)
    if isinstance(value, str):
        return string(value)
    if _is_number(value):
        return _number(value)
    if isinstance(value, Cell):
        sep = ", " if value.row else "; "
        return "{" + sep.join(literal(v) for v in value.items) + "}"
    if isinstance(value, (list, tuple)):
        if all(_is_number(v) for v in value):
            return "[" + " ".join(_number(v) for v in value) + "]"
        if all(isinstance(v, (list, tuple)) and all(_is_number(x) for x in v) for v in value):
            return "[" + "; ".join(" ".join(_number(x) for x in row) for row in value) + "]"
    raise TypeError(
        f"cannot write {value!r} ({type(value).__name__}) as a MATLAB value: use "
        f"str, numbers, lists of numbers, Cell, dict or Code"
    )


def assignments(target: str, value) -> list[str]:
    """MATLAB statements that set ``target`` to ``value``.

    >>> assignments("job.data", {"fwhm": [6, 6, 6], "files": Cell(["a.nii,1"])})
    ['job.data.fwhm = [6 6 6];', "job.data.files = {'a.nii,1'};"]
    """
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            lines.extend(assignments(f"{target}.{key}", item))
        return lines
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, dict) for v in value):
        lines = []
        for i, item in enumerate(value, 1):
            lines.extend(assignments(f"{target}({i})", item))
        return lines
    return [f"{target} = {literal(value)};"]
