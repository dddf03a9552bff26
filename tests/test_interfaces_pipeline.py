"""The run as a pipeline: named steps in modules whose names say them, a
public run object for the hooks, cache and provenance as leaves."""

from __future__ import annotations

import ast
import importlib
import inspect
import os

from interfaces.base import Image, InputSpec, Interface, OutputImage, Run
from interfaces.base import pipeline
from interfaces_helpers import ANATOMICAL, runs_dir, write_script  # noqa: F401

STEPS = [
    ("checks", "check_inputs"), ("handover", "hand_over"), ("command", "build"),
    ("runner", "run_process"), ("outputs", "collect"), ("provenance", "record"),
]


def test_execute_reads_as_the_steps_in_order():
    source = inspect.getsource(pipeline)
    calls = [source.index(f"{func}(run") for _, func in STEPS[:5]]
    assert calls == sorted(calls)
    for module, func in STEPS:
        assert callable(getattr(importlib.import_module(f"interfaces.base.{module}"), func))
        assert f"interfaces.base.{module}.{func}" in pipeline.__doc__


def _imports(module: str) -> set[str]:
    tree = ast.parse(inspect.getsource(importlib.import_module(f"interfaces.base.{module}")))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.add(node.module or "")
    return found


def test_cache_and_provenance_are_leaves():
    pipeline_modules = {"pipeline", "interface", "run", "checks", "handover", "outputs"}
    for leaf in ("cache", "provenance", "version", "runner", "workdirs"):
        assert not _imports(leaf) & pipeline_modules, leaf


def test_hooks_receive_the_public_run_object(tmp_path):
    seen = {}
    script = write_script(tmp_path, "copies", 'cp "$1" "$2"\n')

    class copies(Interface):
        executable = script

        class Inputs(InputSpec):
            in_file = Image(argstr="%s", position=0, mandatory=True)
            out_file = OutputImage(argstr="%s", position=1, name_source="in_file",
                                   name_template="%s_c", keep_extension=True)

        @classmethod
        def check_run(cls, run, completed):
            seen["run"] = run
            seen["state"] = (run.name, run.executable, list(run.argv), run.cwd,
                             run.completed is completed, sorted(run.prepared))
            return None

    result = copies().run(in_file=ANATOMICAL, workdir=tmp_path / "w")
    run = seen["run"]
    assert isinstance(run, Run) and run.result is result
    name, executable, argv, cwd, same, prepared = seen["state"]
    assert name == "local.copies" and executable == script
    assert argv == result.argv and cwd == str(tmp_path / "w") and same
    assert prepared == ["in_file"]
    assert os.path.exists(result.outputs.out_file.get_filename())
