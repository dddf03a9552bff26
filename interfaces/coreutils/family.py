"""The coreutils family: programs on PATH, versions from ``--version``."""

from ..base import Family

COREUTILS = Family(
    "coreutils",
    package_hint="Install GNU coreutils (Debian: apt-get install coreutils).",
)
