"""FSL's affine matrices (``.mat``: 4x4, as text) as numpy arrays."""

from __future__ import annotations

import os

__all__ = ["load_matrix", "save_matrix"]


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
    import numpy as np

    path = os.fspath(path)
    try:
        matrix = np.loadtxt(path, dtype=np.float64, ndmin=2)
    except ValueError as error:
        raise ValueError(
            f"{path} is not an FSL matrix (4 rows of 4 numbers): {error}. Pass the "
            f".mat file written by flirt or convert_xfm."
        ) from None
    if matrix.shape != (4, 4):
        raise ValueError(
            f"{path} holds a {matrix.shape[0]}x{matrix.shape[1]} matrix; an FSL affine "
            f"matrix is 4x4. Pass the .mat file written by flirt or convert_xfm."
        )
    return matrix


def save_matrix(matrix, path) -> str:
    """Write a 4x4 matrix as FSL does (e.g. to give flirt ``in_matrix_file``).

    Returns
    -------
    str
        The absolute path written.
    """
    import numpy as np

    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.shape != (4, 4):
        raise ValueError(f"an FSL affine matrix is 4x4, got shape {matrix.shape}")
    path = os.path.abspath(os.fspath(path))
    np.savetxt(path, matrix, fmt="%.10f", delimiter="  ")
    return path
