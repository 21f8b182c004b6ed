"""Old import path, kept for notebooks saved before the move: see ``mlpops.course.plots``."""

import sys

from .course import plots as _module

sys.modules[__name__] = _module
