"""The explorers under their first name: ``mlpops.widgets`` / ``mlpops.course.widgets``.

They live one per module in ``mlpops.course.explorers``; this name is that package, so
notebooks saved with ``from mlpops.widgets import ...`` keep working.
"""

import sys

from . import explorers as _module

sys.modules[__name__] = _module
