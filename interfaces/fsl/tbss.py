"""TBSS and the diffusion tools around it: tbss_skeleton (a skeleton, and
data projected onto it), vecreg (vector and tensor images registered),
proj_thresh (probtrackx's seeds_to images as fractions of their total) and
make_dyadic_vectors (bedpostx's mean fibre directions and their dispersion).

Declarations only; option names are nipype's.  proj_thresh writes beside
its inputs, so they are linked into the run's folder (``stage``) and its
outputs are found there, one per input.
"""

from __future__ import annotations

import os

from ..base import (
    Bool, Enum, File, Float, Image, InputError, Int, Interface, List, OutputImage,
    OutputPrefix, OutputSpec,
)
from ..base.naming import split_ext
from .family import FSL, FSLInputs

__all__ = ["tbss_skeleton", "vecreg", "proj_thresh", "make_dyadic_vectors"]


# -- tbss_skeleton ------------------------------------------------------------------


def _standard(name: str) -> str:
    """An image of FSL's ``data/standard`` (``$FSLDIR``, else the folder
    above the one tbss_skeleton is in), as nipype's ``Info.standard_image``."""
    home = FSL.home()
    if not home:
        found = FSL.find_executable("tbss_skeleton")
        home = os.path.dirname(os.path.dirname(found)) if found else "$FSLDIR"
    return os.path.join(home, "data", "standard", name)


def _project(value, values):
    """``-p threshold distance_map search_mask data projected`` (nipype's
    ``_format_arg``): the search mask is ``search_mask_file``, or FSL's lower
    cingulum mask unless ``use_cingulum_mask`` is False."""
    if not value:
        return []
    mask = values.get("search_mask_file")
    if mask is None:
        if values.get("use_cingulum_mask") is False:
            raise InputError(
                "tbss_skeleton: project_data needs a search mask: pass search_mask_file, "
                "or leave use_cingulum_mask unset (or True) for FSL's cingulum mask.")
        mask = _standard("LowerCingulum_1mm.nii.gz")
    return ["-p", "%.3f" % values["threshold"], values["distance_map"], mask,
            values["data_file"], values["projected_data"]]


class tbss_skeleton(Interface):
    """Skeletonise an FA image (``skeleton_file``), or project 4D data onto
    a skeleton (``project_data``): TBSS's tbss_skeleton."""

    executable = "tbss_skeleton"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="-i %s", mandatory=True,
                        desc="input image (typically the mean FA)")
        project_data = Bool(argstr="-p", formatter=_project,
                            requires=["threshold", "distance_map", "data_file"],
                            desc="project data onto the skeleton (-p threshold distance_map "
                                 "search_mask data_file projected_data)")
        threshold = Float(desc="skeleton threshold (e.g. 0.2), with project_data")
        distance_map = Image(desc="distance map of the skeleton mask, with project_data "
                                  "(tbss_4_prestats' mean_FA_skeleton_mask_dst)")
        search_mask_file = Image(xor=["use_cingulum_mask"],
                                 desc="mask where the alternative (circular) search rule "
                                      "applies, instead of FSL's cingulum mask")
        use_cingulum_mask = Bool(xor=["search_mask_file"],
                                 desc="the alternative search rule in FSL's lower cingulum "
                                      "mask ($FSLDIR/data/standard/LowerCingulum_1mm); the "
                                      "default unless search_mask_file is given")
        data_file = Image(desc="4D data to project onto the skeleton (usually all_FA)")
        alt_data_file = Image(argstr="-a %s",
                              desc="4D non-FA data to project, with data_file's search "
                                   "(e.g. all_MD)")
        alt_skeleton = Image(argstr="-s %s", desc="another skeleton to project onto")
        projected_data = OutputImage(name_source=["alt_data_file", "data_file"],
                                     name_template="%s_skeletonised",
                                     generate="project_data",
                                     desc="the data projected onto the skeleton (default "
                                          "<alt_data_file or data_file>_skeletonised)")
        skeleton_file = OutputImage(argstr="-o %s", name_source="in_file",
                                    name_template="%s_skeleton", generate=False,
                                    desc="write the skeleton (True: <in_file>_skeleton)")


# -- vecreg ---------------------------------------------------------------------------


class vecreg(Interface):
    """Register a vector or tensor image (dtifit's V1, bedpostx's dyads,
    a tensor), rotating the vectors as the transform does."""

    executable = "vecreg"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="-i %s", mandatory=True, desc="vector or tensor image")
        out_file = OutputImage(argstr="-o %s", name_source="in_file", name_template="%s_vreg",
                               desc="the registered image (default <in_file>_vreg)")
        ref_vol = Image(argstr="-r %s", mandatory=True, desc="reference (target) image")
        affine_mat = File(argstr="-t %s", desc="affine matrix (flirt's)")
        warp_field = Image(argstr="-w %s", desc="4D warp field (fnirt's), for a nonlinear "
                                                "registration")
        rotation_mat = File(argstr="--rotmat=%s",
                            desc="another affine matrix, used for the rotation of the "
                                 "vectors")
        rotation_warp = Image(argstr="--rotwarp=%s",
                              desc="another warp field, used for the rotation of the vectors")
        interpolation = Enum("nearestneighbour", "trilinear", "sinc", "spline",
                             argstr="--interp=%s", desc="interpolation (default trilinear)")
        mask = Image(argstr="-m %s", desc="brain mask in input space")
        ref_mask = Image(argstr="--refmask=%s",
                         desc="brain mask in output space (speeds up a nonlinear "
                              "registration)")


# -- proj_thresh ----------------------------------------------------------------------


class proj_thresh(Interface):
    """probtrackx's seeds_to images as fractions of their total, where the
    total reaches ``threshold`` (connectivity-based segmentation): one
    ``<input>_proj_seg_thr_<threshold>`` per input, and ``total``."""

    executable = "proj_thresh"
    family = FSL

    class Inputs(FSLInputs):
        in_files = List(Image(), argstr="%s", position=0, mandatory=True, minlen=1,
                        stage=True,
                        desc="the seeds_to images (linked into the run's folder, where "
                             "proj_thresh writes beside them)")
        threshold = Int(argstr="%d", position=1, mandatory=True,
                        desc="minimum number of samples reaching the targets (the total)")

    class Outputs(OutputSpec):
        out_files = List(Image(), discovered=True,
                         desc="<input>_proj_seg_thr_<threshold>, one per input, in order")
        total = Image(name_template="total", desc="the number of samples reaching any "
                                                  "target")

    @classmethod
    def discover_outputs(cls, run, outputs, lenient):
        ext = FSL.output_extension(run.output_type)
        found, missing = [], []
        for staged in run.values.get("in_files") or []:
            path = f"{split_ext(staged)[0]}_proj_seg_thr_{run.spec.threshold}{ext}"
            if os.path.exists(path):
                import imagecache

                found.append(imagecache.load(path))
            else:
                missing.append(("out_files", path))
        if not missing:
            outputs.out_files = found
        return set(), missing


# -- make_dyadic_vectors --------------------------------------------------------------


class make_dyadic_vectors(Interface):
    """The mean fibre direction of bedpostx's samples (``dyads``) and its
    dispersion: the angle (degrees) of the cone holding ``perc`` of them."""

    executable = "make_dyadic_vectors"
    family = FSL

    class Inputs(FSLInputs):
        theta_vol = Image(argstr="%s", position=0, mandatory=True,
                          desc="theta samples (bedpostx's merged_th1samples)")
        phi_vol = Image(argstr="%s", position=1, mandatory=True,
                        desc="phi samples (merged_ph1samples)")
        mask = Image(argstr="%s", position=2, desc="brain mask")
        output = OutputPrefix(argstr="%s", position=3, name_template="dyads",
                              desc="name of the outputs, without extension (default "
                                   "'dyads', as nipype)")
        perc = Float(argstr="%f", position=4, requires=["mask"],
                     desc="the perc% angle of the cone of uncertainty (FSL reads it after "
                          "a mask only)")

    class Outputs(OutputSpec):
        dyads = Image(name_source="output", name_template="%s",
                      desc="the mean direction, a 4D image of 3 volumes")
        dispersion = Image(name_source="output", name_template="%s_dispersion",
                           desc="the dispersion of the directions (degrees)")
