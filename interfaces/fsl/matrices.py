"""FSL's affine matrices (``.mat``: 4x4, as text) as numpy arrays: the base's
:mod:`~interfaces.base.matrices` with FSL's number format and wording."""

from __future__ import annotations

from ..base.matrices import read_matrix, write_matrix

__all__ = ["load_matrix", "save_matrix"]

_HINT = "Pass the .mat file written by flirt or convert_xfm."


def load_matrix(path):
    """Read an FSL affine matrix (flirt's ``-omat``, convert_xfm's output).

    Parameters
    ----------
    path : str or os.PathLike
        A text file of 4 rows of 4 numbers.

    Returns
    -------
    numpy.ndarray
        Shape (4, 4), float64.

    Raises
    ------
    ValueError
        The file does not hold a 4x4 matrix.
    """
    return read_matrix(path, name="an FSL affine matrix", text_name="an FSL matrix", hint=_HINT)


def save_matrix(matrix, path) -> str:
    """Write a 4x4 matrix as FSL does (e.g. to give flirt ``in_matrix_file``).

    Returns
    -------
    str
        The absolute path written.
    """
    return write_matrix(matrix, path, fmt="%.10f", delimiter="  ", name="an FSL affine matrix")
