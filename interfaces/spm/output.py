"""What SPM printed: the messages that mean a job did not run as written.

SPM's batch system reports two kinds of trouble only in its output:

* a job value it refused, ``Item 'FWHM', field 'val': Size mismatch
  (required [1  3], present [1  1]).``: the module then runs with SPM's
  default for that item and the job "succeeds" -- so any such line is a
  failure here;
* the cause of a module that failed: ``spm_jobman`` itself raises only
  ``Job execution failed. The full log of this run can be found in MATLAB
  command window...``; the cause (``File ".../tpm/TPM.nii" does not
  exist.``) is in the lines printed after ``Failed  '<module>'``.
"""

from __future__ import annotations

import re

__all__ = ["config_messages", "error_lines"]

#: SPM's configuration messages: ``Item '<name>', field '<field>': <what>``,
#: or ``Item '<name>': <what>`` (e.g. a job field the module does not have),
#: anywhere in a line: MATLAB or Octave may print ``Warning: `` before it.
_ITEM = re.compile(r"(Item '[^'\n]*'(?:, field '[^'\n]*')?: [^\n]*?)\s*$", re.MULTILINE)
#: The first line of a failed module's report (SPM12 puts the time before it:
#: ``03-Dec-2026 06:00:01 - Failed  'Segment'``).
_FAILED = re.compile(r"(?:^|\s)Failed\s+'[^'\n]*'\s*$")
#: The line after the report (the list of modules that did not run).
_REPORT_END = re.compile(r"^\s*(The following modules did not run:|-{20,}|={20,})")
#: Lines of a report that only locate the error in SPM's code.
_STACK = re.compile(r"^\s*In file \"")
#: At most this many lines of SPM's own report go into an exception.
MAX_LINES = 12


def config_messages(text: str) -> list[str]:
    """SPM's ``Item '...', field '...': ...`` (and ``Item '...': ...``)
    lines in ``text``, in order, each once."""
    found = []
    for match in _ITEM.finditer(text or ""):
        line = match.group(1)
        if line not in found:
            found.append(line)
    return found


def error_lines(text: str) -> list[str]:
    """SPM's report of each module that failed: the ``Failed  '<module>'``
    line and the error message after it, without the lines that only locate
    it in SPM's code; empty when ``text`` holds no such report."""
    lines = (text or "").splitlines()
    out: list[str] = []
    k = 0
    while k < len(lines):
        found = _FAILED.search(lines[k])
        if not found:
            k += 1
            continue
        out.append(lines[k][found.start():].strip())
        k += 1
        while k < len(lines) and not _REPORT_END.match(lines[k]) \
                and not _FAILED.search(lines[k]):
            line = lines[k].rstrip()
            if line.strip() and not _STACK.match(line):
                out.append(line.strip())
            k += 1
    if len(out) > MAX_LINES:
        out = out[:MAX_LINES] + [f"... ({len(out) - MAX_LINES} more lines in SPM's output)"]
    return out
