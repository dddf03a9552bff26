"""4x4 affine matrices as text files: what NiftyReg, Workbench (and FSL) read
and write, as numpy arrays.  Used as ``File(writer=write_matrix)`` inputs and
``reader=read_matrix`` outputs."""

from __future__ import annotations

import os

__all__ = ["write_matrix", "read_matrix"]


def write_matrix(matrix, path) -> None:
    """Write a 4x4 matrix as text (4 rows of 4 numbers)."""
    import numpy as np

    matrix = np.asarray(matrix, dtype=float)
    if matrix.shape != (4, 4):
        raise ValueError(f"an affine matrix must be 4x4, got shape {matrix.shape}")
    np.savetxt(os.fspath(path), matrix, fmt="%.10g")


def read_matrix(path):
    """Read a 4x4 matrix written as text; ValueError naming the file otherwise."""
    import numpy as np

    path = os.fspath(path)
    matrix = np.loadtxt(path, dtype=float, ndmin=2)
    if matrix.shape != (4, 4):
        raise ValueError(f"{path} holds a {matrix.shape[0]}x{matrix.shape[1]} matrix, "
                         f"not a 4x4 affine: pass the file the tool wrote.")
    return matrix
