"""``python -m mlpops 30 30 30 ...``: the same as the ``mlpops`` command."""

import sys

from .cli import main

sys.exit(main())
