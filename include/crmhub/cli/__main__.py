"""``python -m crmhub.cli``: same as the ``crmhub`` console script."""

import sys

from crmhub.cli import main

sys.exit(main())
