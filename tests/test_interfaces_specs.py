"""Specs: command lines cross-checked with nipype, generated help, light import.

The FSL-like declarations below show that ``bet`` and ``flirt`` are pure
declarations in this base.  FSL cannot be installed here, so the executables
are stand-ins written by the tests into a fake ``$FSLDIR/bin``; they only
print their arguments.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import pytest

from interfaces.base import (
    Bool,
    Enum,
    Family,
    Float,
    Image,
    InputSpec,
    Int,
    Interface,
    OutputFile,
    OutputImage,
    OutputMissingError,
    OutputSpec,
)
from interfaces.base.command import cmdline, format_arg
from interfaces.base.naming import split_ext
from interfaces.coreutils import cp
from interfaces_helpers import ARGV_DUMP, write_script

FSL_LIKE = Family(
    "fsl",
    home_env="FSLDIR",
    package_hint="Install FSL (https://fsl.fmrib.ox.ac.uk) and set FSLDIR.",
    output_type_env="FSLOUTPUTTYPE",
    default_output_type="NIFTI_GZ",
    output_types={"NIFTI": ".nii", "NIFTI_GZ": ".nii.gz", "NIFTI_PAIR": ".img"},
    image_formats=(".nii", ".nii.gz"),
    version_file="etc/fslversion",
)


class bet(Interface):
    """Delete non-brain tissue from an image of the whole head."""

    executable = "bet"
    family = FSL_LIKE

    class Inputs(InputSpec):
        in_file = Image(argstr="%s", position=0, mandatory=True, desc="input image")
        out_file = OutputImage(argstr="%s", position=1, name_source="in_file",
                               name_template="%s_brain", desc="brain-extracted image")
        frac = Float(argstr="-f %.2f", desc="fractional intensity threshold")
        mask = Bool(argstr="-m", desc="also write a binary brain mask")

    class Outputs(OutputSpec):
        mask_file = Image(name_source="out_file", name_template="%s_mask",
                          requires=["mask"], desc="binary brain mask")


class flirt(Interface):
    """Linear registration."""

    executable = "flirt"
    family = FSL_LIKE

    class Inputs(InputSpec):
        in_file = Image(argstr="-in %s", position=0, mandatory=True)
        reference = Image(argstr="-ref %s", position=1, mandatory=True)
        out_file = OutputImage(argstr="-out %s", position=2, name_source="in_file",
                               name_template="%s_flirt")
        out_matrix_file = OutputFile(argstr="-omat %s", position=3, name_source="in_file",
                                     name_template="%s_flirt.mat", keep_extension=True)
        cost = Enum("mutualinfo", "corratio", "normcorr", "normmi", "leastsq",
                    argstr="-cost %s")
        dof = Int(argstr="-dof %d")


def _absolute(argv):
    return [os.path.abspath(x) if os.sep in x else x for x in argv]


def standin_argv(tool, **inputs):
    """Arguments the stand-in received; it writes no output, so the run must
    end in OutputMissingError, which carries the run's record."""
    with pytest.raises(OutputMissingError) as err:
        tool.run(**inputs)
    return json.loads(err.value.stdout)


@pytest.fixture
def fsl_home(tmp_path, monkeypatch):
    home = tmp_path / "fsl-standin"
    (home / "bin").mkdir(parents=True)
    (home / "etc").mkdir()
    (home / "etc" / "fslversion").write_text("6.0.7.4\n")
    for name in ("bet", "flirt"):
        write_script(home / "bin", name, ARGV_DUMP, python=True)
    monkeypatch.setenv("FSLDIR", str(home))
    monkeypatch.setenv("FSLOUTPUTTYPE", "NIFTI")
    monkeypatch.setenv("IMAGESHELL_WORKDIR", str(tmp_path / "runs"))
    return home


@pytest.fixture
def two_images(tmp_path):
    import nibabel as nib
    import numpy as np

    paths = []
    for name in ("a.nii", "b.nii"):
        p = tmp_path / name
        nib.save(nib.Nifti1Image(np.zeros((2, 2, 2), np.float32), np.eye(4)), p)
        paths.append(str(p))
    return paths


def _nipype():
    pytest.importorskip("nipype")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from nipype.interfaces import fsl
    return fsl


def test_bet_command_line_matches_nipype(fsl_home, two_images, tmp_path):
    fsl = _nipype()
    a = two_images[0]
    out = str(tmp_path / "a_brain.nii")
    theirs = fsl.BET(in_file=a, out_file=out, mask=True, frac=0.4).cmdline
    ours = ["bet"] + standin_argv(bet(), in_file=a, out_file=out, mask=True, frac=0.4)
    assert ours == _absolute(theirs.split())  # nipype's BET shows a relative in_file
    assert ours == ["bet", a, out, "-f", "0.40", "-m"]


def test_flirt_command_line_and_default_names_match_nipype(fsl_home, two_images, tmp_path):
    fsl = _nipype()
    a, b = two_images
    theirs = fsl.FLIRT(in_file=a, reference=b, out_file=str(tmp_path / "out.nii.gz"),
                       out_matrix_file=str(tmp_path / "m.mat"), dof=6, cost="corratio").cmdline
    ours = standin_argv(flirt(), in_file=a, reference=b, out_file=tmp_path / "out.nii.gz",
                        out_matrix_file=tmp_path / "m.mat", dof=6, cost="corratio")
    assert ["flirt"] + ours == _absolute(theirs.split())
    # default names: nipype puts them in the cwd, we in the run's folder
    theirs = fsl.FLIRT(in_file=a, reference=b).cmdline.split()
    ours = ["flirt"] + standin_argv(flirt(), in_file=a, reference=b)
    assert [os.path.basename(x) for x in ours] == [os.path.basename(x) for x in theirs]
    assert "a_flirt.nii" in [os.path.basename(x) for x in ours]
    assert "a_flirt.mat" in [os.path.basename(x) for x in ours]


def test_fsl_like_family_lookup_version_and_output_type(fsl_home, two_images, monkeypatch):
    assert bet.executable_path() == str(fsl_home / "bin" / "bet")
    assert bet.version() == "6.0.7.4"  # from $FSLDIR/etc/fslversion
    monkeypatch.setenv("FSLOUTPUTTYPE", "NIFTI_GZ")
    assert standin_argv(bet(), in_file=two_images[0])[1].endswith("a_brain.nii.gz")
    monkeypatch.delenv("FSLDIR")
    assert bet.executable_path() is None


def test_bet_outputs_are_declared(fsl_home):
    assert sorted(bet.output_spec().names()) == ["mask_file", "out_file"]


# -- formatting units --------------------------------------------------------------


class _Spec(InputSpec):
    plain = Float(argstr="-x %s")
    fmt = Float(argstr="-f %.3f")
    eq = Int(argstr="--n=%d")
    flag = Bool(argstr="--yes")
    pct = Int(argstr="--pct=%d%%")


def _fmt(name, value):
    return format_arg(name, _Spec.class_traits()[name], value)


def test_format_arg_units():
    assert _fmt("plain", 1.5) == ["-x", "1.5"]
    assert _fmt("fmt", 1 / 3) == ["-f", "0.333"]
    assert _fmt("eq", 7) == ["--n=7"]
    assert _fmt("flag", True) == ["--yes"]
    assert _fmt("flag", False) == []
    assert _fmt("pct", 50) == ["--pct=50%"]


def test_split_ext_and_cmdline():
    assert split_ext("/x/a.b/sub-01.nii.gz") == ("/x/a.b/sub-01", ".nii.gz")
    assert split_ext("m.mat") == ("m", ".mat")
    assert split_ext("noext") == ("noext", "")
    assert cmdline(["a", "b c", "$(d)", "é", "x;y"]) == "a 'b c' '$(d)' 'é' 'x;y'"


def test_name_source_with_dots_in_the_stem(tmp_path, fsl_home):
    import nibabel as nib
    import numpy as np

    p = tmp_path / "sub.01.nii"
    nib.save(nib.Nifti1Image(np.zeros((2, 2, 2), np.float32), np.eye(4)), p)
    assert os.path.basename(standin_argv(bet(), in_file=p)[1]) == "sub.01_brain.nii"


# -- help and docstrings --------------------------------------------------------------


def test_docstring_is_generated_from_the_spec():
    doc = bet.__doc__
    assert doc.startswith("Delete non-brain tissue")
    assert "Parameters\n----------\nin_file : image or path, mandatory" in doc
    assert "Input image. Command line: ``%s`` at position 0." in doc
    assert "Formats: .nii, .nii.gz." in doc
    assert "frac : float, optional" in doc and "``-f %.2f``" in doc
    assert "``mask_file`` (imagecache image)" in doc
    assert "When mask is set." in doc


def test_docstring_parses_as_numpydoc():
    napoleon = pytest.importorskip("sphinx.ext.napoleon")
    rendered = str(napoleon.NumpyDocstring(bet.__doc__))
    assert ":param in_file:" in rendered or ":parameter in_file:" in rendered or \
        "**in_file**" in rendered


def test_help_text():
    text = cp.help()
    assert text.startswith("coreutils.cp - Copy an image file.")
    assert "executable: " in text and "in_file (image or path, mandatory)" in text
    assert "Default name: %s_copy from in_file." in " ".join(text.split())
    text = bet.help()
    assert "NOT FOUND" in text or "bin/bet" in text


# -- the import stays light ------------------------------------------------------------


def test_import_interfaces_loads_no_heavy_module():
    code = (
        "import sys, interfaces;"
        "heavy = [m for m in ('traits', 'nibabel', 'numpy', 'imagecache', 'subprocess')"
        " if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_import_a_family_does_not_load_nibabel_or_imagecache():
    code = (
        "import sys; from interfaces import coreutils;"
        "print(','.join(m for m in ('nibabel', 'imagecache') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_help_names_the_kinds_added_by_tool_families():
    from interfaces.base.help import help_text

    mrtrix3 = pytest.importorskip("interfaces.mrtrix3")
    workbench = pytest.importorskip("interfaces.workbench")
    fsl = pytest.importorskip("interfaces.fsl")
    assert "list of image, path, number or operator" in help_text(mrtrix3.mrcalc)
    assert "dict of image or path" in help_text(workbench.volume_math)
    assert "path prefix or True" in help_text(fsl.fast)
