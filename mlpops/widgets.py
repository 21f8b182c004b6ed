"""Old import path, kept for notebooks saved before the move: see ``mlpops.course.widgets``."""

import sys

from .course import widgets as _module

sys.modules[__name__] = _module
