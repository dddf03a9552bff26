"""ICA-AROMA: the independent components of an fMRI run that are motion,
found and regressed out (``ICA_AROMA.py``, a script that runs FSL's melodic,
flirt/applywarp and fsl_regfilt).

ICA-AROMA is a package of its own (https://github.com/maartenmennes/ICA-AROMA),
not part of FSL; nipype wraps it with FSL, and so do we: ``ICA_AROMA.py`` is
found on ``$PATH`` after ``$FSLDIR/bin``.  Declarations only; option names
are nipype's.
"""

from __future__ import annotations

from ..base import (
    Directory, Enum, File, Float, Image, Int, Interface, OutputDirectory, OutputSpec,
    any_of, exclusive,
)
from .family import FSL, FSLInputs

__all__ = ["ICA_AROMA"]


def _denoised(kind: str, desc: str) -> Image:
    return Image(name_source="out_dir", name_template=f"denoised_func_data_{kind}",
                 requires=any_of(("denoise_type", kind), ("denoise_type", "both")), desc=desc)


def _report(name: str, desc: str) -> File:
    return File(name_source="out_dir", name_template=name, desc=desc)


class ICA_AROMA(Interface):
    """Remove motion components from fMRI data (ICA-AROMA): from a run with
    its motion parameters and registrations, or from a FEAT folder."""

    executable = "ICA_AROMA.py"
    family = FSL

    class Inputs(FSLInputs):
        feat_dir = Directory(argstr="-feat %s",
                             desc="a FEAT folder (before temporal filtering): the data, "
                                  "motion parameters and registrations read from it")
        in_file = Image(argstr="-i %s", desc="4D fMRI data to denoise")
        out_dir = OutputDirectory(argstr="-o %s", name_template="out", create=False,
                                  desc="output folder (default 'out'); ICA-AROMA makes it "
                                       "and will not write into an existing one")
        mask = Image(argstr="-m %s", desc="brain mask")
        dim = Int(argstr="-dim %d", desc="MELODIC's dimensionality (default: estimated)")
        TR = Float(argstr="-tr %.3f", desc="TR in seconds (default: from the header)")
        melodic_dir = Directory(argstr="-meldir %s", desc="an existing MELODIC folder to use")
        mat_file = File(argstr="-affmat %s",
                        desc="affine registration of the functional data to structural "
                             "space (flirt's .mat)")
        fnirt_warp_file = Image(argstr="-warp %s",
                                desc="fnirt's warp of the structural data to MNI152 space")
        motion_parameters = File(argstr="-mc %s", desc="motion parameters (mcflirt's .par)")
        denoise_type = Enum("nonaggr", "aggr", "both", "no", usedefault=True,
                            argstr="-den %s",
                            desc="non-aggressive (partial regression), aggressive (full), "
                                 "both, or classification only (no)")

        # A FEAT folder, or the run and its motion parameters (and the files
        # FEAT would hold): as nipype's xor with mandatory.
        groups = (
            exclusive("feat_dir", "in_file", required=True),
            exclusive("feat_dir", "motion_parameters", required=True),
            exclusive("feat_dir", "mask"), exclusive("feat_dir", "mat_file"),
            exclusive("feat_dir", "fnirt_warp_file"),
        )

    class Outputs(OutputSpec):
        nonaggr_denoised_file = _denoised("nonaggr", "non-aggressively denoised data")
        aggr_denoised_file = _denoised("aggr", "aggressively denoised data")
        motion_ICs = _report("classified_motion_ICs.txt",
                             "the components classified as motion (comma-separated, from 1)")
        classification_overview = _report("classification_overview.txt",
                                          "each component's features and classification")
        feature_scores = _report("feature_scores.txt", "each component's four feature scores")
