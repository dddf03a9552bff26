"""4x4 affine matrices as text files: what NiftyReg, Workbench and FSL read
and write, as numpy arrays.  Used as ``File(writer=write_matrix)`` inputs and
``reader=read_matrix`` outputs; a family with its own conventions (FSL's
``.mat``: fixed-point numbers, its own wording in errors) passes them as
keywords."""

from __future__ import annotations

import os

__all__ = ["write_matrix", "read_matrix"]


def write_matrix(matrix, path, *, fmt="%.10g", delimiter=" ",
                 name="an affine matrix") -> str:
    """Write a 4x4 matrix as text (4 rows of 4 numbers).

    Parameters
    ----------
    matrix : array_like
        Shape (4, 4).
    path : str or os.PathLike
    fmt, delimiter : str
        As :func:`numpy.savetxt`.
    name : str
        What the matrix is, for the error message (e.g. ``"an FSL affine
        matrix"``).

    Returns
    -------
    str
        The absolute path written.
    """
    import numpy as np

    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.shape != (4, 4):
        raise ValueError(f"{name} is 4x4, got shape {matrix.shape}")
    path = os.path.abspath(os.fspath(path))
    np.savetxt(path, matrix, fmt=fmt, delimiter=delimiter)
    return path


def read_matrix(path, *, name="an affine matrix", text_name="a matrix",
                hint="Pass the file the tool wrote."):
    """Read a 4x4 matrix written as text.

    Parameters
    ----------
    path : str or os.PathLike
    name, text_name : str
        What the file should hold, for the error messages: when it holds
        numbers of another shape (``name``) or no table of numbers at all
        (``text_name``).
    hint : str
        What to do instead, ending the error messages.

    Returns
    -------
    numpy.ndarray
        Shape (4, 4), float64.

    Raises
    ------
    ValueError
        The file does not hold a 4x4 matrix; the message names it.
    """
    import numpy as np

    path = os.fspath(path)
    try:
        matrix = np.loadtxt(path, dtype=np.float64, ndmin=2)
    except ValueError as error:
        raise ValueError(
            f"{path} is not {text_name} (4 rows of 4 numbers): {str(error).rstrip('.')}. {hint}"
        ) from None
    if matrix.shape != (4, 4):
        raise ValueError(
            f"{path} holds a {matrix.shape[0]}x{matrix.shape[1]} matrix; {name} is 4x4. {hint}"
        )
    return matrix
