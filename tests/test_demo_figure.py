"""The demo's figure explains itself: a title, the colour key, column and row labels, and
orientation letters that are right whatever order the file stores the axes in."""

import nibabel as nib
import numpy as np
import pytest

from interfaces import demo

pytest.importorskip("matplotlib")


def _head(flip_x=False, swap_yz=False):
    """A small volume, bright only in its left, anterior, superior octant (world
    coordinates; the octant holds the three middle slices), stored as RAS or with x
    flipped and/or y and z swapped on disk."""
    data = np.zeros((20, 22, 24))
    data[:11, 11:, 12:] = 1.0  # low x (left), high y (anterior), high z (superior)
    affine = np.diag([2.0, 2.0, 2.0, 1.0])
    if flip_x:
        data = data[::-1]
        affine = affine @ np.array([[-1, 0, 0, 19], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1.0]])
    if swap_yz:
        data = data.transpose(0, 2, 1)
        affine = affine @ np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1.0]])
    return nib.Nifti1Image(data, affine)


@pytest.mark.parametrize("flip_x,swap_yz", [(False, False), (True, False), (True, True)])
def test_orientation_letters_name_where_the_corner_is(flip_x, swap_yz):
    corner = {"L", "A", "S"}  # where the bright voxels are
    for (_, name, (left, right, top, bottom)), view in zip(demo.VIEWS, demo._slices(
            _head(flip_x, swap_yz))):
        rows, cols = np.nonzero(view)
        h, w = view.shape
        # the corner is on the side whose letter names it, on both axes of the picture
        assert (cols.mean() < w / 2) == (left in corner) != (right in corner), name
        assert (rows.mean() < h / 2) == (top in corner) != (bottom in corner), name


def test_figure_has_title_key_labels_and_letters():
    head = _head()
    fig = demo._draw(head, head, head, head, head)
    try:
        texts = {t.get_text() for t in fig.texts}
        for ax in fig.axes:
            texts |= {t.get_text() for t in ax.texts} | {ax.get_title()}
        legend = {t.get_text() for t in fig.legends[0].get_texts()}
        assert demo.TITLE in texts
        assert legend == {label for _, label in demo.KEY}
        assert {"sagittal", "coronal", "axial"} <= texts
        assert {"before registration", "after registration"} <= texts
        assert set("LRAPSI") <= texts
        # every picture has its four letters
        assert all(len([t for t in ax.texts if len(t.get_text()) == 1]) == 4
                   for ax in fig.axes)
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)
