"""Old import path, kept for notebooks saved before the move: see ``mlpops.course.exercise_checks``."""

import sys

from .course import exercise_checks as _module

sys.modules[__name__] = _module
