"""Old import path, kept for notebooks saved before the move: see ``mlpops.course.exercises``."""

import sys

from .course import exercises as _module

sys.modules[__name__] = _module
