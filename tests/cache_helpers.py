"""Helpers for the caching and run_many tests: a tool that counts its own runs.

``counting_copy(folder)`` writes a script into ``folder`` that copies its first
argument to its second, appends a line to ``folder/calls`` on every run (not
when asked ``--version``), and exits 3 when given ``--fail``.  It returns an
interface wrapping that script and a function giving the number of runs so far.
"""

from __future__ import annotations

import os

from interfaces_helpers import write_script

from interfaces.base import Float, Image, InputSpec, Interface, OutputImage


def counting_copy(folder, *, sleep: float = 0.0):
    """``(interface class, calls)`` for a fresh counting copy tool in ``folder``.

    ``sleep`` seconds before copying let several processes overlap.
    """
    body = (
        '[ "$1" = --version ] && { echo "countcp 1.0"; exit 0; }\n'
        'echo run >> "$(dirname "$0")/calls"\n'
        'for a in "$@"; do [ "$a" = --fail ] && exit 3; done\n'
        + (f"sleep {sleep}\n" if sleep else "")
        + 'cp "$1" "$2"\n'
    )
    script = os.path.join(os.fspath(folder), "countcp")
    if not os.path.exists(script):  # never rewritten: another process may be running it
        write_script(folder, "countcp", body)

    class countcp(Interface):
        """Copy an image, counting runs."""

        executable = script

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True, desc="image to copy")
            out_file = OutputImage(position=1, name_source="in_file", name_template="%s_out",
                                   keep_extension=True, desc="the copy")
            other = Image(argstr="--other %s", desc="a second image")
            factor = Float(argstr="--factor %g", desc="a value")
            fail = Float(argstr="--fail %g", desc="fail with status 3")

    def calls() -> int:
        path = os.path.join(os.fspath(folder), "calls")
        if not os.path.exists(path):
            return 0
        with open(path) as fh:
            return len(fh.read().split())

    return countcp, calls
