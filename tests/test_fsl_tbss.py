"""End to end with the STAND-IN executables (tests/fsl_standins/bin, NOT FSL)
for TBSS and the diffusion tools around it: bedpostx-like samples made into
dyads (make_dyadic_vectors) and registered (vecreg); probtrackx-like
seeds_to images thresholded (proj_thresh, its outputs found one per input)
and segmented (find_the_biggest); an FA image skeletonised and 4D data
projected onto the skeleton (tbss_skeleton).
"""

from __future__ import annotations

import os

import nibabel as nib
import numpy as np
import pytest

from fsl_standins.testing import argv_of, files, standin_fsl, stub_fsl, stub_home  # noqa: F401
from interfaces import fsl
from interfaces.base import InputError, Undefined

AFFINE = np.diag([2.0, 2.0, 2.0, 1.0])


def _img(shape=(6, 7, 8), seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return nib.Nifti1Image((rng.random(shape) * scale).astype(np.float32), AFFINE)


def _name(image):
    return os.path.basename(image.get_filename())


# -- bedpostx's samples: dyads, dispersion, registered ---------------------------------


def test_dyads_of_in_memory_samples_registered_with_vecreg(standin_fsl, tmp_path):
    theta = nib.Nifti1Image(np.full((4, 5, 6, 10), np.pi / 2, np.float32), AFFINE)
    phi = nib.Nifti1Image(np.zeros((4, 5, 6, 10), np.float32), AFFINE)  # all along x
    mask = nib.Nifti1Image(np.ones((4, 5, 6), np.uint8), AFFINE)
    res = fsl.make_dyadic_vectors().run(theta_vol=theta, phi_vol=phi, mask=mask, perc=0.9)
    wd = res.runtime.cwd
    assert res.argv[4:] == [os.path.join(wd, "dyads"), "0.900000"]
    dyads, dispersion = res.outputs.dyads, res.outputs.dispersion
    assert _name(dyads) == "dyads.nii.gz" and _name(dispersion) == "dyads_dispersion.nii.gz"
    assert dyads.shape == (4, 5, 6, 3)
    assert np.allclose(dyads.get_fdata()[..., 0], 1.0, atol=1e-6)  # the samples' direction
    assert np.allclose(dispersion.get_fdata(), 0.0, atol=1e-2)  # no spread at all

    named = fsl.make_dyadic_vectors().run(theta_vol=theta, phi_vol=phi,
                                          output=str(tmp_path / "fibre1"))
    assert named.outputs.dyads.get_filename() == str(tmp_path / "fibre1.nii.gz")
    assert named.outputs.dispersion.get_filename() == str(tmp_path / "fibre1_dispersion.nii.gz")

    reference = _img((8, 9, 10), seed=3)
    reg = fsl.vecreg().run(in_file=dyads, ref_vol=reference, interpolation="nearestneighbour")
    assert reg.input_files["in_file"].origin == "original"  # the chained output's own file
    assert _name(reg.outputs.out_file) == "dyads_vreg.nii.gz"
    assert reg.outputs.out_file.shape == (8, 9, 10, 3)  # the reference's grid, 3 volumes


def test_perc_needs_a_mask(stub_fsl, files):
    # make_dyadic_vectors <theta> <phi> [mask] <output> [perc]: perc only after a mask
    with pytest.raises(InputError, match="mask"):
        fsl.make_dyadic_vectors().run(theta_vol=files["a"], phi_vol=files["b"], perc=0.9)


# -- probtrackx's seeds_to images: thresholded, one output per input ------------------


def test_proj_thresh_outputs_one_per_input_in_order_then_find_the_biggest(standin_fsl,
                                                                          tmp_path):
    folder = tmp_path / "tracts"
    folder.mkdir()
    paths = []
    for k, name in enumerate(("seeds_to_M2", "seeds_to_M1", "seeds_to_M10")):
        values = np.full((4, 5, 6), float(k + 1), np.float32)
        nib.save(nib.Nifti1Image(values, AFFINE), folder / f"{name}.nii.gz")
        paths.append(str(folder / f"{name}.nii.gz"))
    in_memory = nib.Nifti1Image(np.full((4, 5, 6), 4.0, np.float32), AFFINE)
    res = fsl.proj_thresh().run(in_files=paths + [in_memory], threshold=3)
    wd = res.runtime.cwd
    # linked into the run's folder, where proj_thresh writes beside them
    assert res.argv[1:4] == [os.path.join(wd, f"{n}.nii.gz")
                             for n in ("seeds_to_M2", "seeds_to_M1", "seeds_to_M10")]
    assert res.argv[-1] == "3"
    names = [_name(img) for img in res.outputs.out_files]
    assert names[:3] == ["seeds_to_M2_proj_seg_thr_3.nii.gz", "seeds_to_M1_proj_seg_thr_3.nii.gz",
                         "seeds_to_M10_proj_seg_thr_3.nii.gz"]  # the inputs' order, not sorted
    assert names[3].endswith("_proj_seg_thr_3.nii.gz") and len(names) == 4
    assert all(os.path.dirname(img.get_filename()) == wd for img in res.outputs.out_files)
    assert np.allclose(res.outputs.out_files[1].get_fdata(), 2 / 10)  # 2 of a total of 10
    assert np.allclose(res.outputs.total.get_fdata(), 10.0)
    assert sorted(os.listdir(folder)) == [f"{n}.nii.gz" for n in (
        "seeds_to_M1", "seeds_to_M10", "seeds_to_M2")]  # nothing written beside the inputs

    biggest = fsl.find_the_biggest().run(in_files=res.outputs.out_files)
    assert biggest.bytes_written == 0
    assert np.all(biggest.outputs.out_file.get_fdata() == 4)  # the 4th input wins


def test_proj_thresh_names_follow_output_type(standin_fsl, files):
    res = fsl.proj_thresh(output_type="NIFTI").run(in_files=[files["a"]], threshold=1)
    assert _name(res.outputs.out_files[0]) == "a_proj_seg_thr_1.nii"
    assert _name(res.outputs.total) == "total.nii"


# -- tbss_skeleton ---------------------------------------------------------------------


def test_skeleton_then_data_projected_onto_it(standin_fsl, tmp_path):
    mean_fa = _img(seed=1)
    res = fsl.tbss_skeleton().run(in_file=mean_fa, skeleton_file=True)
    skeleton = res.outputs.skeleton_file
    assert _name(skeleton) == "in_file_skeleton.nii.gz"  # FSLOUTPUTTYPE's extension
    assert res.outputs.projected_data is Undefined  # not asked for
    assert 0 < np.count_nonzero(skeleton.get_fdata()) < np.prod(skeleton.shape)

    all_fa = _img((6, 7, 8, 3), seed=2)
    distance = _img(seed=4)
    search = nib.Nifti1Image(np.ones((6, 7, 8), np.uint8), AFFINE)
    proj = fsl.tbss_skeleton().run(in_file=mean_fa, project_data=True, threshold=0.3,
                                   distance_map=distance, data_file=all_fa,
                                   search_mask_file=search, alt_skeleton=skeleton)
    wd = proj.runtime.cwd
    projected = proj.outputs.projected_data
    assert proj.argv[proj.argv.index("-p") + 1] == "0.300"
    assert projected.get_filename() == os.path.join(wd, "data_file_skeletonised.nii.gz")
    assert projected.shape == (6, 7, 8, 3)
    on = skeleton.get_fdata() > 0
    assert np.allclose(projected.get_fdata()[on], all_fa.get_fdata()[on])
    assert not projected.get_fdata()[~on].any()


def test_alt_data_names_the_projection_and_the_cingulum_mask_is_the_default(stub_fsl, files):
    inputs = dict(in_file=files["a"], project_data=True, threshold=0.2,
                  distance_map=files["b"], data_file=files["f"])
    argv = argv_of(fsl.tbss_skeleton(), **inputs, alt_data_file=files["mask"])
    mask = os.path.join(str(stub_fsl), "data", "standard", "LowerCingulum_1mm.nii.gz")
    assert argv[:2] == ["-a", files["mask"]]
    assert argv[2:9] == ["-i", files["a"], "-p", "0.200", files["b"], mask, files["f"]]
    assert os.path.basename(argv[9]) == "mask_skeletonised.nii.gz"  # after alt_data_file
    assert argv_of(fsl.tbss_skeleton(), **inputs, use_cingulum_mask=True)[5] == mask
    with pytest.raises(InputError, match="search mask"):
        fsl.tbss_skeleton().run(**inputs, use_cingulum_mask=False)
    with pytest.raises(InputError, match="mutually exclusive"):
        fsl.tbss_skeleton().run(**inputs, use_cingulum_mask=True, search_mask_file=files["a"])
    with pytest.raises(InputError, match="threshold"):
        fsl.tbss_skeleton().run(in_file=files["a"], project_data=True)
