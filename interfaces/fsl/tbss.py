"""TBSS and the diffusion tools around it: tbss_skeleton (a skeleton, and
data projected onto it), vecreg (vector and tensor images registered),
proj_thresh (probtrackx's seeds_to images as fractions of their total),
make_dyadic_vectors (bedpostx's mean fibre directions and their
dispersion), and TBSS's scripts: tbss_1_preproc, tbss_2_reg,
tbss_3_postreg, tbss_4_prestats and tbss_non_FA.

Declarations only; option names are nipype's, and for the scripts (which
nipype runs as a workflow of other tools, not as interfaces) FSL's usage
text's.  proj_thresh writes beside its inputs, so they are linked into the
run's folder (``stage``) and its outputs are found there, one per input.
The scripts work in their current folder (FA/, origdata/, stats/): each
run's folder is that folder, and ``tbss_dir`` -- the folder of the step
before -- is rebuilt in it as a tree of links (``stage="."``), so that every
step leaves the earlier ones' folders as they were.
"""

from __future__ import annotations

import os

from ..base import (
    Bool, Directory, Enum, File, Float, Image, InputError, Int, Interface, List, OutputImage,
    OutputPrefix, OutputSpec, Str, exclusive,
)
from ..base.naming import split_ext
from .family import FSL, FSLInputs

__all__ = ["tbss_skeleton", "vecreg", "proj_thresh", "make_dyadic_vectors", "tbss_1_preproc",
           "tbss_2_reg", "tbss_3_postreg", "tbss_4_prestats", "tbss_non_FA"]


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


# -- TBSS's scripts -------------------------------------------------------------------


def _run_folder(namer):
    """The run's folder: the scripts' current folder, holding FA/, stats/..."""
    return namer.workdir


def _tbss_dir(**metadata):
    """The folder of the step before, rebuilt in the run's folder."""
    return Directory(mandatory=True, stage=".",
                     desc="the folder of the TBSS step before (its outputs.tbss_dir): "
                          "linked into the run's folder, where the script works; it is "
                          "left as it was", **metadata)


def _found(template, desc, many=False, kind=Image, **metadata):
    """An output the script writes at ``template`` in the run's folder."""
    if many:
        return List(kind(), name_template=template, desc=desc, **metadata)
    return kind(name_template=template, desc=desc, **metadata)


def _tbss_outputs(**outputs):
    return type("Outputs", (OutputSpec,), {
        "tbss_dir": Directory(name_template=_run_folder,
                              desc="the run's folder, where the script worked (FA/, "
                                   "origdata/, stats/): the next step's tbss_dir"),
        **outputs})


def _base_names(value, values):
    """The staged images as names in the script's folder (tbss_1_preproc
    writes FA/<name>_FA: a path would not do)."""
    return [os.path.basename(v) for v in value]


class tbss_1_preproc(Interface):
    """TBSS step 1: each FA image eroded a little, its end slices zeroed,
    into ``FA/<name>_FA`` with a mask; the originals moved to ``origdata/``
    (the links to them: your files stay where they are)."""

    executable = "tbss_1_preproc"
    family = FSL

    class Inputs(FSLInputs):
        fa_list = List(Image(), argstr="%s", mandatory=True, minlen=1, one_or_more=True,
                       stage=True, formatter=_base_names,
                       desc="every subject's FA image (dtifit's FA), linked into the run's "
                            "folder under its own name: its name names the subject (an "
                            "image in memory: its temporary's, e.g. image-00001)")

    Outputs = _tbss_outputs(
        fa_list=_found("FA/*_FA", "each subject's preprocessed FA, in name order",
                       many=True),
        mask_list=_found("FA/*_FA_mask", "each subject's mask", many=True),
        slices=_found("FA/slicesdir/index.html", "slicesdir's picture of every FA image",
                      kind=File),
    )


class tbss_2_reg(Interface):
    """TBSS step 2: every FA image registered nonlinearly (FNIRT) to a
    target: FMRIB58_FA (``use_fmrib58``, FSL's recommendation), an image of
    yours (``target``), or the most typical subject (``find_best_target``,
    every subject to every other)."""

    executable = "tbss_2_reg"
    family = FSL

    class Inputs(FSLInputs):
        tbss_dir = _tbss_dir(stage_exclude=("FA/*_to_*", "FA/target.*"))
        use_fmrib58 = Bool(argstr="-T", position=0,
                           desc="FMRIB58_FA_1mm as the target (recommended)")
        target = Image(argstr="-t %s", position=0, desc="this image as the target")
        find_best_target = Bool(argstr="-n", position=0,
                                desc="find the best target among the subjects (registers "
                                     "every subject to every other)")

        groups = (exclusive("use_fmrib58", "target", "find_best_target", required=True),)

    Outputs = _tbss_outputs(
        target_image=_found("FA/target", "the target, copied into FA/ (not with "
                                         "find_best_target)", optional=True),
        warp_list=_found("FA/*_to_*_warp", "the warp fields (<subject>_FA_to_target_warp; "
                                           "every pair with find_best_target)", many=True),
    )


class tbss_3_postreg(Interface):
    """TBSS step 3: every FA image brought into standard space and merged
    (``stats/all_FA``), their mean, its mask and its skeleton."""

    executable = "tbss_3_postreg"
    family = FSL

    class Inputs(FSLInputs):
        tbss_dir = _tbss_dir(stage_exclude=("stats/*", "FA/*_to_target.[inh]*"))
        subject_mean = Bool(argstr="-S", position=0,
                            desc="mean_FA and its skeleton from the subjects' mean "
                                 "(recommended)")
        use_fmrib58 = Bool(argstr="-T", position=0,
                           desc="FMRIB58_FA and its skeleton instead of the subjects'")

        groups = (exclusive("subject_mean", "use_fmrib58", required=True),)

    Outputs = _tbss_outputs(
        all_FA=_found("stats/all_FA", "every subject's FA in standard space (4D)"),
        mean_FA=_found("stats/mean_FA", "the mean FA"),
        mean_FA_mask=_found("stats/mean_FA_mask", "the mask of all subjects' data"),
        mean_FA_skeleton=_found("stats/mean_FA_skeleton", "the mean FA's skeleton"),
        registered_list=_found("FA/*_FA_to_target", "each subject's FA in standard space",
                               many=True),
    )


class tbss_4_prestats(Interface):
    """TBSS step 4: the skeleton thresholded into a mask, its distance map,
    and every subject's FA projected onto it (``stats/all_FA_skeletonised``,
    randomise's input)."""

    executable = "tbss_4_prestats"
    family = FSL

    class Inputs(FSLInputs):
        tbss_dir = _tbss_dir(stage_exclude=("stats/thresh.txt", "stats/mean_FA_skeleton_mask*",
                                            "stats/all_FA_skeletonised.*"))
        threshold = Float(argstr="%g", position=0, mandatory=True,
                          desc="FA threshold of the skeleton (FSL recommends 0.2)")

    Outputs = _tbss_outputs(
        skeleton_mask=_found("stats/mean_FA_skeleton_mask", "the thresholded skeleton"),
        distance_map=_found("stats/mean_FA_skeleton_mask_dst",
                            "distance map of the skeleton mask (tbss_skeleton's "
                            "distance_map)"),
        all_FA_skeletonised=_found("stats/all_FA_skeletonised",
                                   "every subject's FA projected onto the skeleton (4D)"),
        threshold_file=_found("stats/thresh.txt", "the threshold, as tbss_non_FA reads it",
                              kind=File),
    )


def _subjects(run) -> list:
    """The subjects' image names in origdata/ of the given ``tbss_dir``,
    in FSL's order (sorted by name, as the scripts' globs list them)."""
    from ..base.naming import split_ext

    folder = os.path.join(run.caller_cwd, os.fspath(run.spec.tbss_dir), "origdata")
    try:
        names = os.listdir(folder)
    except OSError:
        names = []
    return sorted({split_ext(n)[0] for n in names if not n.startswith(".")
                   and split_ext(n)[1].lower() in (".nii", ".nii.gz", ".img", ".img.gz",
                                                   ".hdr", ".hdr.gz")})


def _as_subject(run, index, path):
    """tbss_non_FA's images are read as <measure>/<the subject's original name>."""
    subjects = _subjects(run)
    count = len(run.spec.measure_files)
    if count != len(subjects):
        raise InputError(
            f"{run.name}: {count} measure_files for the {len(subjects)} subjects of "
            f"tbss_dir's origdata/ ({', '.join(subjects) or 'none'}): pass one image per "
            f"subject, in the order of their names.")
    return os.path.join(run.spec.measure, subjects[index])


class tbss_non_FA(Interface):
    """TBSS for another measure than FA (MD, L2...): each subject's image
    brought into standard space with the FA warps and projected onto the FA
    skeleton: ``stats/all_<measure>`` and ``all_<measure>_skeletonised``."""

    executable = "tbss_non_FA"
    family = FSL

    class Inputs(FSLInputs):
        tbss_dir = _tbss_dir(stage_exclude=("{measure}/*", "stats/all_{measure}.*",
                                            "stats/all_{measure}_skeletonised.*",
                                            "FA/*_{measure}*"))
        measure = Str(argstr="%s", position=0, mandatory=True,
                      desc="the measure's name (e.g. 'MD'): the folder the script reads "
                           "and the outputs' names")
        measure_files = List(Image(), mandatory=True, minlen=1, stage=_as_subject,
                             desc="each subject's image of the measure, in the order of "
                                  "the FA images' names (all_FA's order); linked as "
                                  "<measure>/<the subject's name>, as the script reads them")

    Outputs = _tbss_outputs(
        all_measure=_found("stats/all_{measure}", "every subject's measure in standard "
                                                  "space (4D)"),
        all_measure_skeletonised=_found("stats/all_{measure}_skeletonised",
                                        "the measure projected onto the FA skeleton (4D)"),
    )
