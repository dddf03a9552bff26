#!/usr/bin/env python3
# STAND-IN for ICA-AROMA's `ICA_AROMA.py` (run with FSL), for imageshell's tests: NOT it.
# It parses the arguments as `ICA_AROMA.py` does and writes the files it would write, with simple
# data (see ../standin.py).
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), ".."))
import standin  # noqa: E402

standin.main("ICA_AROMA.py")
