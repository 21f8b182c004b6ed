"""Old import path, kept for notebooks saved before the move: see ``mlpops.course.datasets``."""

import sys

from .course import datasets as _module

sys.modules[__name__] = _module
