"""A chainable form of fslmaths: ``maths(img).thr(10).bin().mul(mask).run()``.

Each call adds one fslmaths operation and returns a new chain (a chain is
never modified, so a partial chain can be reused).  Operands are numbers or
images -- in memory or paths -- passed like any image input.  ``run()`` runs
:class:`~interfaces.fsl.fslmaths` with the ``op_string`` and
``operand_files`` the chain spells.
"""

from __future__ import annotations

from ..base.traits_ import is_image_value

__all__ = ["maths"]

#: method name -> fslmaths option, for operations without an argument.
UNARY = {
    "bin": "-bin", "binv": "-binv", "abs": "-abs", "sqrt": "-sqrt", "sqr": "-sqr",
    "exp": "-exp", "log": "-log", "recip": "-recip", "nan": "-nan", "nanm": "-nanm",
    "edge": "-edge", "fillh": "-fillh", "fillh26": "-fillh26", "index": "-index",
    "dilM": "-dilM", "dilD": "-dilD", "dilF": "-dilF", "dilall": "-dilall", "ero": "-ero",
    "eroF": "-eroF", "fmedian": "-fmedian", "fmean": "-fmean", "fmeanu": "-fmeanu",
    "Tmean": "-Tmean", "Tstd": "-Tstd", "Tmax": "-Tmax", "Tmaxn": "-Tmaxn", "Tmin": "-Tmin",
    "Tmedian": "-Tmedian", "Tar1": "-Tar1", "Xmean": "-Xmean", "Ymean": "-Ymean",
    "Zmean": "-Zmean", "kernel_3D": "-kernel 3D", "kernel_2D": "-kernel 2D",
}

#: method name -> fslmaths option, for operations taking a number or an image.
OPERAND = {
    "add": "-add", "sub": "-sub", "mul": "-mul", "div": "-div", "rem": "-rem",
    "mas": "-mas", "max": "-max", "min": "-min", "thr": "-thr", "uthr": "-uthr",
}

#: method name -> fslmaths option, for operations taking numbers.
NUMBERS = {
    "thrp": "-thrp", "thrP": "-thrP", "uthrp": "-uthrp", "uthrP": "-uthrP",
    "smooth": "-s", "inm": "-inm", "ing": "-ing", "Tperc": "-Tperc", "bptf": "-bptf",
    "roi": "-roi", "kernel_box": "-kernel box", "kernel_boxv": "-kernel boxv",
    "kernel_gauss": "-kernel gauss", "kernel_sphere": "-kernel sphere",
}


def _number(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"fslmaths operand must be a number, got {value!r}")
    return repr(value) if isinstance(value, float) else str(value)


class maths:
    """A chain of fslmaths operations on ``in_file``.

    Parameters
    ----------
    in_file : nibabel image or path
        The image to operate on.
    **inputs
        Other inputs of :class:`~interfaces.fsl.fslmaths` (``out_file``,
        ``output_datatype``, ``internal_datatype``, ``output_type``...).

    Examples
    --------
    >>> chain = maths("t1.nii.gz").thr(100).bin().mul(2)
    >>> chain.op_string
    '-thr 100 -bin -mul 2'
    >>> maths("t1.nii.gz").mas("mask.nii.gz").op_string
    '-mas %s'
    """

    def __init__(self, in_file, **inputs):
        self.in_file = in_file
        self.inputs = inputs
        self._items: tuple = ()
        self._operands: tuple = ()

    def _then(self, items, operands=()) -> maths:
        new = maths(self.in_file, **self.inputs)
        new._items = self._items + tuple(items)
        new._operands = self._operands + tuple(operands)
        return new

    def op(self, option: str, *args) -> maths:
        """Any fslmaths operation, e.g. ``op("-kernel", "sphere", 3)`` or
        ``op("-mas", img)``: images and :class:`os.PathLike` paths are
        operands, numbers are formatted, strings are passed as words."""
        items, operands = option.split(), []
        for arg in args:
            if is_image_value(arg) or hasattr(arg, "__fspath__"):
                items.append("%s")
                operands.append(arg)
            elif isinstance(arg, str):
                items.append(arg)
            else:
                items.append(_number(arg))
        return self._then(items, operands)

    @property
    def op_string(self) -> str:
        """The operations, with ``%s`` for each image operand."""
        return " ".join(self._items)

    @property
    def operand_files(self) -> list:
        """The image operands, in order."""
        return list(self._operands)

    def interface(self):
        """The :class:`~interfaces.fsl.fslmaths` interface this chain runs."""
        from .utils import fslmaths

        return fslmaths(in_file=self.in_file, op_string=self.op_string,
                        operand_files=self.operand_files, **self.inputs)

    def run(self, **options):
        """Run fslmaths; ``options`` are those of :meth:`Interface.run` and
        more inputs.  Returns its :class:`~interfaces.base.Result` (the image
        is ``result.outputs.out_file``)."""
        return self.interface().run(**options)

    def __repr__(self) -> str:
        return f"maths({self.in_file!r}).op_string={self.op_string!r}"


def _unary(option):
    def method(self):
        return self._then(option.split())
    method.__doc__ = f"fslmaths ``{option}``."
    return method


def _operand(option):
    def method(self, operand):
        if is_image_value(operand) or isinstance(operand, (str, bytes)) or hasattr(
            operand, "__fspath__"
        ):
            return self._then([option, "%s"], [operand])
        return self._then([option, _number(operand)])
    method.__doc__ = f"fslmaths ``{option}`` with a number or an image."
    return method


def _numbers(option):
    def method(self, *values):
        return self._then(option.split() + [_number(v) for v in values])
    method.__doc__ = f"fslmaths ``{option}`` with number(s)."
    return method


for _name, _option in UNARY.items():
    setattr(maths, _name, _unary(_option))
for _name, _option in OPERAND.items():
    setattr(maths, _name, _operand(_option))
for _name, _option in NUMBERS.items():
    setattr(maths, _name, _numbers(_option))
del _name, _option
