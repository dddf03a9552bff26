"""Quality control: eddy_quad, the single-subject QC report of an eddy
run (``qc.json``, ``qc.pdf`` and the pictures in its ``.qc`` folder).

Declarations only; option names are nipype's.
"""

from ..base import Bool, File, Image, Interface, List, OutputPrefix, OutputSpec
from .family import FSL, FSLInputs

__all__ = ["eddy_quad"]


def _in_qc(template, desc, **more):
    """A file eddy_quad writes in its output folder."""
    return File(name_source="output_dir", name_template="%s/" + template, desc=desc, **more)


def _pictures(template, desc, **more):
    """The pictures eddy_quad writes in its output folder, found by pattern."""
    return List(File(), name_source="output_dir", name_template="%s/" + template, desc=desc,
                **more)


class eddy_quad(Interface):
    """The QC report of an eddy run: ``base_name`` is eddy's ``out_base``
    (the prefix of its outputs), the other inputs those given to eddy.

    eddy_quad makes ``output_dir`` itself (it refuses one that exists), so
    the folder is named, not created, before the run.
    """

    executable = "eddy_quad"
    family = FSL

    class Inputs(FSLInputs):
        base_name = File(exists=False, argstr="%s", position=0, mandatory=True,
                         desc="eddy's out_base: the prefix of its outputs")
        idx_file = File(argstr="--eddyIdx %s", mandatory=True,
                        desc="line of param_file for each volume (eddy's in_index)")
        param_file = File(argstr="--eddyParams %s", mandatory=True,
                          desc="acquisition parameters (eddy's in_acqp)")
        mask_file = Image(argstr="--mask %s", mandatory=True, desc="binary brain mask")
        bval_file = File(argstr="--bvals %s", mandatory=True, desc="b values")
        bvec_file = File(argstr="--bvecs %s",
                         desc="b vectors (used when eddy wrote residuals)")
        output_dir = OutputPrefix(argstr="--output-dir %s", name_source="base_name",
                                  name_template="%s.qc",
                                  desc="the report's folder (default <base_name>.qc in the "
                                       "run's folder); must not exist")
        field = Image(argstr="--field %s", desc="topup's field (Hz)")
        slice_spec = File(argstr="--slspec %s", desc="slice/group acquisition order")
        verbose = Bool(argstr="--verbose", desc="debug messages")

    class Outputs(OutputSpec):
        qc_json = _in_qc("qc.json", "quality metrics and data information (JSON)")
        qc_pdf = _in_qc("qc.pdf", "the QC report")
        avg_b_png = _pictures("avg_b*.png", "mid slices of each averaged b-shell volume",
                              exclude="avg_b0_pe*.png")
        avg_b0_pe_png = _pictures("avg_b0_pe*.png",
                                  "mid slices of each averaged b0 volume per phase "
                                  "encoding direction (with field)", requires=["field"])
        cnr_png = _pictures("cnr*.png", "mid slices of each b-shell CNR map (when eddy "
                                        "wrote CNR maps)")
        vdm_png = _in_qc("vdm.png", "mid slices of the voxel displacement map (with field)",
                         requires=["field"])
        residuals = _in_qc("eddy_msr.txt", "mask-averaged squared residuals per volume "
                                           "(when eddy wrote residuals)", optional=True)
        clean_volumes = _in_qc("vols_no_outliers.txt",
                               "the volumes without outliers (when eddy wrote residuals)",
                               optional=True)
