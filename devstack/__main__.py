"""``python -m devstack`` (``make run``): the whole stack on this machine."""

import sys

from devstack.run import main

sys.exit(main())
