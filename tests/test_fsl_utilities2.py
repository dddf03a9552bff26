"""End to end with the STAND-IN executables (tests/fsl_standins/bin, NOT FSL)
for the coordinate, field map, plot, complex-image and QC tools: in-memory
images in, outputs named, found, loaded and chained into the next tool;
the base ideas they needed (``printed``, ``generate`` as a requirement,
``name_template_if`` on a value, ``exclude``) tested on a tool of our own;
and fslcomplex's modes, which random sets rarely reach, against nipype.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import warnings

import nibabel as nib
import numpy as np
import pytest

import imagecache
from fsl_standins.testing import (  # noqa: F401 (fixtures)
    files, standin_calls, standin_fsl, stub_fsl, stub_home,
)
from interfaces import fsl
from interfaces.base import (
    Bool, Enum, File, InputError, InputSpec, Interface, List, OutputFile, OutputSpec,
    Undefined, any_of,
)


def _img(shape=(6, 7, 8), seed=0, scale=100.0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return nib.Nifti1Image((rng.random(shape) * scale).astype(dtype),
                           np.diag([2.0, 2.0, 2.0, 1.0]))



def _is_png(path):
    with open(path, "rb") as fh:
        return fh.read(8) == b"\x89PNG\r\n\x1a\n"


# -- coordinates and warp files --------------------------------------------------


def test_points_move_by_the_matrix_and_chain_as_a_file(standin_fsl, tmp_path):
    src, dest = _img(seed=1), _img(seed=2)
    matrix = np.array([[1, 0, 0, 10], [0, 1, 0, -5], [0, 0, 1, 2.5], [0, 0, 0, 1]])
    fsl.save_matrix(matrix, str(tmp_path / "src2dest.mat"))
    points = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    res = fsl.img2imgcoord().run(in_coords=points, src_file=src, dest_file=dest,
                                 xfm_file=str(tmp_path / "src2dest.mat"), coord_mm=True)
    assert "Coordinates in Destination volume (in mm)" in res.runtime.stdout
    moved = points + [10, -5, 2.5]
    assert isinstance(res.outputs.coordinates, np.ndarray)
    assert np.allclose(res.outputs.coordinates, moved)
    # the file holds the points only (no heading), named after in_coords
    assert os.path.basename(res.outputs.out_file) == "in_coords_warped.txt"
    assert np.allclose(np.loadtxt(res.outputs.out_file), moved)
    # chained: the file of points is the next tool's in_coords, passed as is
    std = fsl.img2stdcoord().run(in_coords=res.outputs.out_file, img_file=dest, std_file=src,
                                 coord_mm=True)
    assert std.argv[-1] == res.outputs.out_file
    assert np.allclose(std.outputs.coordinates, moved)  # no matrix: the same points
    assert os.path.basename(std.outputs.out_file) == "in_coords_warped_warped.txt"
    back = fsl.std2imgcoord().run(in_coords=std.outputs.out_file, img_file=src,
                                  std_file=dest, warp_file=_img((6, 7, 8, 3)))
    assert back.outputs.coordinates.shape == (2, 3)
    assert [c["tool"] for c in standin_calls(tmp_path)] == ["img2imgcoord", "img2stdcoord",
                                                     "std2imgcoord"]


def test_coordinate_options_are_exclusive(stub_fsl, files):
    with pytest.raises(InputError, match="mutually exclusive"):
        fsl.img2imgcoord(in_coords=files["params.txt"], src_file=files["a"],
                         dest_file=files["b"], xfm_file=files["m1.mat"],
                         warp_file=files["f"]).argv
    with pytest.raises(InputError, match="mutually exclusive"):
        fsl.std2imgcoord(in_coords=files["params.txt"], img_file=files["a"],
                         std_file=files["b"], coord_mm=True, coord_vox=True).argv


def test_fnirtfileutils_field_into_applywarp(standin_fsl):
    coefficients, reference = _img((4, 5, 6, 3), seed=3), _img((8, 9, 10), seed=4)
    res = fsl.fnirtfileutils().run(in_file=coefficients, reference=reference,
                                   write_jacobian=True)
    field = res.outputs.out_file
    assert os.path.basename(field.get_filename()) == "in_file_field.nii.gz"
    assert field.shape == (8, 9, 10, 3)  # a field on the reference's grid
    assert res.outputs.out_jacobian.shape == (8, 9, 10)
    warped = fsl.applywarp().run(in_file=_img(seed=5), ref_file=reference, field_file=field)
    assert warped.input_files["field_file"].origin == "original"  # the file, not a copy
    assert warped.outputs.out_file.shape == (8, 9, 10)
    spline = fsl.fnirtfileutils().run(in_file=field, reference=reference,
                                      out_format="spline", knot_space=(2, 2, 2))
    assert os.path.basename(spline.outputs.out_file.get_filename()) == (
        "in_file_field_coeffs.nii.gz")
    assert spline.outputs.out_jacobian is Undefined  # not asked for


# -- field maps and complex images -------------------------------------------------


def test_prepared_fieldmap_into_fugue(standin_fsl):
    phase = _img(seed=6, scale=4096.0)
    magnitude = _img(seed=7)
    prep = fsl.fsl_prepare_fieldmap().run(in_phase=phase, in_magnitude=magnitude,
                                          delta_TE=2.46)
    fmap = prep.outputs.out_fieldmap
    assert os.path.basename(fmap.get_filename()) == "in_phase_fslprepared.nii.gz"
    assert fmap.shape == phase.shape  # 3D, as FSL writes it
    # rad/s: +-pi over 2.46 ms
    assert np.abs(fmap.get_fdata()).max() <= np.pi / 2.46e-3 + 1e-3
    epi = _img(seed=8)
    fugue = fsl.fugue().run(in_file=epi, fmap_in_file=fmap, dwell_time=0.0005,
                            unwarped_file=True)
    assert fugue.input_files["fmap_in_file"].origin == "original"
    assert fugue.outputs.unwarped_file.shape == epi.shape


def test_prepare_fieldmap_checks_run_in_the_tool(standin_fsl):
    from interfaces.base import CommandFailedError

    out_of_range = _img(scale=10000.0)
    with pytest.raises(CommandFailedError, match="outside 0-4096"):
        fsl.fsl_prepare_fieldmap().run(in_phase=out_of_range, in_magnitude=_img())
    res = fsl.fsl_prepare_fieldmap().run(in_phase=out_of_range, in_magnitude=_img(),
                                         nocheck=True)
    assert res.argv[-1] == "--nocheck"


def test_b0calc_field_and_its_components(standin_fsl):
    segmentation = nib.Nifti1Image((_img().get_fdata() > 50).astype(np.float32),
                                   np.diag([2.0, 2.0, 2.0, 1.0]))
    one = fsl.b0calc().run(in_file=segmentation)
    assert os.path.basename(one.outputs.out_file.get_filename()) == "in_file_b0field.nii.gz"
    assert one.outputs.out_file.shape == (6, 7, 8)
    xyz = fsl.b0calc().run(in_file=segmentation, compute_xyz=True, z_b0=3.0)
    assert "--xyz" in xyz.argv and "--b0=3.00" in xyz.argv
    assert xyz.outputs.out_file.shape == (6, 7, 8, 3)


def test_complex_to_polar_and_back(standin_fsl):
    rng = np.random.default_rng(9)
    values = (rng.random((4, 5, 6)) + 1j * rng.random((4, 5, 6))).astype(np.complex64)
    cplx = nib.Nifti1Image(values, np.diag([2.0, 2.0, 2.0, 1.0]))
    polar = fsl.fslcomplex().run(complex_in_file=cplx, real_polar=True).outputs
    assert polar.complex_out_file is Undefined and polar.real_out_file is Undefined
    assert os.path.basename(polar.magnitude_out_file.get_filename()) == (
        "complex_in_file_mag.nii.gz")
    assert np.allclose(polar.magnitude_out_file.get_fdata(), np.abs(values), atol=1e-5)
    back = fsl.fslcomplex().run(magnitude_in_file=polar.magnitude_out_file,
                                phase_in_file=polar.phase_out_file, complex_polar=True)
    assert back.bytes_written == 0  # the outputs' own files
    out = back.outputs.complex_out_file
    assert os.path.basename(out.get_filename()) == "complex_in_file_mag_cplx.nii.gz"
    assert np.allclose(np.asanyarray(out.dataobj), values, atol=1e-5)
    parts = fsl.fslcomplex().run(complex_in_file=out, real_cartesian=True).outputs
    assert np.allclose(parts.imaginary_out_file.get_fdata(), values.imag, atol=1e-5)


def test_complex_modes_refuse_what_they_do_not_read(stub_fsl, files):
    a, b = files["a"], files["b"]
    refused = [
        dict(complex_in_file=a),  # no mode
        dict(complex_in_file=a, real_polar=True, complex_split=True),  # two modes
        dict(complex_in_file=a, phase_in_file=b, real_polar=True),  # read as an output
        dict(complex_in_file=a, real_in_file=b, complex_split=True),  # same place
        dict(real_in_file=a, complex_cartesian=True),  # imaginary part missing
        dict(complex_in_file=a, real_polar=True, complex_out_file="x.nii.gz"),
        dict(complex_in_file=a, complex_split=True, end_vol=3),
        dict(complex_in_file=a, complex_in_file2=b, complex_merge=True, start_vol=1),
    ]
    for inputs in refused:
        with pytest.raises(InputError):
            fsl.fslcomplex(**inputs).argv


_NIPYPE_COMPLEX = [
    dict(complex_in_file="a", real_polar=True),
    dict(complex_in_file="f", real_cartesian=True, start_vol=0, end_vol=1),
    dict(real_in_file="a", imaginary_in_file="b", complex_cartesian=True),
    dict(magnitude_in_file="a", phase_in_file="b", complex_polar=True),
    dict(complex_in_file="f", complex_split=True, start_vol=2),
    dict(complex_in_file="a", complex_in_file2="b", complex_merge=True),
    dict(complex_in_file="a", real_polar=True, magnitude_out_file="m.nii.gz",
         phase_out_file="p.nii.gz"),
]


@pytest.mark.parametrize("inputs", _NIPYPE_COMPLEX,
                         ids=[next(k for k, v in i.items() if v is True)
                              for i in _NIPYPE_COMPLEX])
def test_each_complex_mode_gives_nipypes_arguments(stub_fsl, files, monkeypatch, inputs):
    nipype_fsl = pytest.importorskip("nipype.interfaces.fsl")
    monkeypatch.setenv("FSLOUTPUTTYPE", "NIFTI_GZ")
    resolved = {k: files.get(v, v) if isinstance(v, str) else v for k, v in inputs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = shlex.split(nipype_fsl.Complex(**resolved).cmdline)[1:]
    mine = fsl.fslcomplex(**resolved).argv[1:]
    assert [os.path.basename(x) for x in mine] == [os.path.basename(x) for x in theirs]


# -- plots -------------------------------------------------------------------------


def test_mcflirt_parameters_plotted(standin_fsl, tmp_path):
    series = _img((6, 7, 8, 5))
    moco = fsl.mcflirt().run(in_file=series, save_plots=True)
    plots = {}
    for kind in ("rotations", "translations", "displacement"):
        res = fsl.PlotMotionParams().run(in_file=moco.outputs.par_file, in_source="fsl",
                                         plot_type=kind)
        plots[kind] = res
        assert _is_png(res.outputs.out_file)
    names = {k: os.path.basename(r.outputs.out_file) for k, r in plots.items()}
    assert names == {"rotations": "in_file_mcf_rot.png",
                     "translations": "in_file_mcf_trans.png",
                     "displacement": "in_file_mcf_disp.png"}
    argv = plots["rotations"].argv
    assert argv[argv.index("-t") + 1] == "MCFLIRT estimated rotations (radians)"
    assert "--start=1" in argv and "--finish=3" in argv
    spm = fsl.PlotMotionParams(in_source="spm", plot_type="rotations").run(
        in_file=moco.outputs.par_file).argv
    assert spm[spm.index("-t") + 1] == "Realign estimated rotations (radians)"
    assert "--start=4" in spm


def test_time_series_of_fslmeants_plotted(standin_fsl):
    series = _img((6, 7, 8, 5))
    ts = fsl.fslmeants().run(in_file=series)
    plot = fsl.PlotTimeSeries().run(in_file=ts.outputs.out_file, title="mean signal",
                                    labels="mean", y_range=(0.5, 99.5))
    assert _is_png(plot.outputs.out_file)
    assert os.path.basename(plot.outputs.out_file) == "in_file_ts.png"
    argv = plot.argv
    assert argv[argv.index("-t") + 1] == "mean signal"
    assert "--ymin=0.50" in argv and "--ymax=99.50" in argv and argv[argv.index("-a") + 1] == "mean"
    from interfaces.base import CommandFailedError

    with pytest.raises(CommandFailedError):  # one column: --finish=2 is out of range
        fsl.PlotTimeSeries().run(in_file=ts.outputs.out_file, plot_range=(1, 2))


# -- QC ----------------------------------------------------------------------------


def _eddy(files, **more):
    return fsl.eddy().run(in_file=_img((6, 7, 8, 3)), in_mask=_img(), in_index=files["index.txt"],
                          in_acqp=files["params.txt"], in_bvec=files["bvecs"],
                          in_bval=files["bvals"], **more)


def test_eddy_quad_reports_on_eddys_outputs(standin_fsl, files, tmp_path):
    ed = _eddy(files, residuals=True, cnr_maps=True)
    mask = _img()
    quad = fsl.eddy_quad().run(base_name=ed.outputs.out_base, idx_file=files["index.txt"],
                               param_file=files["params.txt"], mask_file=mask,
                               bval_file=files["bvals"], field=_img(seed=3))
    out = quad.outputs
    folder = os.path.dirname(out.qc_json)
    assert os.path.basename(folder) == "eddy_corrected.qc"
    assert out.output_dir == folder  # named by us, made by the tool
    assert json.load(open(out.qc_json))["data_no_b0_vols"] >= 0
    assert open(out.qc_pdf, "rb").read(5) == b"%PDF-"
    assert [os.path.basename(p) for p in out.avg_b0_pe_png] == ["avg_b0_pe0.png"]
    assert out.avg_b_png and not any("_pe" in p for p in out.avg_b_png)
    assert all(_is_png(p) for p in out.avg_b_png + out.cnr_png + [out.vdm_png])
    assert len(out.cnr_png) >= 1  # eddy wrote CNR maps
    assert os.path.exists(out.residuals) and os.path.exists(out.clean_volumes)


def test_eddy_quad_without_field_or_residuals(standin_fsl, files):
    ed = _eddy(files)
    quad = fsl.eddy_quad().run(base_name=ed.outputs.out_base, idx_file=files["index.txt"],
                               param_file=files["params.txt"], mask_file=_img(),
                               bval_file=files["bvals"])
    out = quad.outputs
    assert out.vdm_png is Undefined and out.avg_b0_pe_png is Undefined
    assert out.residuals is Undefined and out.clean_volumes is Undefined
    assert out.cnr_png == []
    with pytest.raises(InputError, match="base_name"):
        fsl.eddy_quad().run(idx_file=files["index.txt"], param_file=files["params.txt"],
                            mask_file=_img(), bval_file=files["bvals"])


# -- base ideas these wrappers needed, on a tool of our own -------------------------


def _script(tmp_path):
    """A tool that prints a heading and points, and writes what it is told."""
    path = tmp_path / "pointtool"
    path.write_text(
        f"#!{sys.executable}\nimport sys, os\n"
        "print('Points:')\nprint('1 2 3')\nprint('4 5 6')\n"
        "args = sys.argv[1:]\n"
        "for i, a in enumerate(args):\n"
        "    if a == '-o':\n"
        "        open(args[i + 1], 'w').write('x')\n"
        "folder = args[-1]\n"
        "for name in ('avg_b0.png', 'avg_b1000.png', 'avg_b0_pe0.png'):\n"
        "    open(os.path.join(folder, name), 'w').write('x')\n")
    path.chmod(0o755)
    return str(path)


def _toy(executable):
    class toy(Interface):
        class Inputs(InputSpec):
            mode = Enum("a", "b", "c")
            flag = Bool()
            out_file = OutputFile(name_template="points.txt",
                                  printed=lambda text: text.replace("Points:\n", ""))
            out_a = OutputFile(argstr="-o %s", name_template="when_a.txt",
                               name_template_if={("mode", "b"): "when_b.txt"},
                               generate=any_of("flag", "mode"))
            folder = OutputFile(argstr="%s", position=-1, name_template="pics")

        class Outputs(OutputSpec):
            pictures = List(File(), name_source="folder", name_template="%s/avg_b*.png",
                            exclude="avg_b0_pe*.png")

    toy.executable = executable
    return toy


def test_printed_generate_and_name_template_if_on_a_toy_tool(tmp_path, monkeypatch):
    monkeypatch.setenv("IMAGESHELL_WORKDIR", str(tmp_path / "runs"))
    toy = _toy(_script(tmp_path))
    folder = tmp_path / "pics"
    folder.mkdir()
    res = toy().run(folder=str(folder))
    assert open(res.outputs.out_file).read() == "1 2 3\n4 5 6\n"  # the heading left out
    assert res.outputs.out_a is Undefined and "-o" not in res.argv  # neither flag nor mode
    assert [os.path.basename(p) for p in res.outputs.pictures] == ["avg_b0.png",
                                                                    "avg_b1000.png"]
    for inputs, name in ((dict(flag=True), "when_a.txt"), (dict(mode="a"), "when_a.txt"),
                         (dict(mode="b"), "when_b.txt")):
        folder = tmp_path / f"pics_{name}_{len(inputs)}_{inputs.get('mode')}"
        folder.mkdir()
        res = toy().run(folder=str(folder), **inputs)
        assert os.path.basename(res.outputs.out_a) == name
        assert os.path.exists(res.outputs.out_a)


def test_generate_names_must_be_inputs():
    with pytest.raises(TypeError, match="generate=.*'nope' is not an input"):
        class bad(Interface):
            executable = "true"

            class Inputs(InputSpec):
                out = OutputFile(argstr="%s", name_template="x", generate="nope")


def test_help_says_when_an_output_is_produced():
    text = fsl.fslcomplex.help()
    assert "when real_polar is set" in text
    assert "complex_cartesian or complex_polar" in text


def test_in_memory_image_of_a_chain_is_written_once(standin_fsl):
    img = _img()
    res = fsl.fnirtfileutils().run(in_file=_img((4, 5, 6, 3)), reference=img)
    assert res.bytes_written > 0  # the in-memory images, written once
    again = fsl.fnirtfileutils().run(in_file=res.outputs.out_file, reference=img)
    assert again.input_files["in_file"].origin == "original"
    assert imagecache.as_filename(img) == again.input_files["reference"].path
