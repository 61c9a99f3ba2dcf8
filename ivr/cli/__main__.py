"""`python -m ivr.cli`: the `ivr` command."""

import sys

from ivr.cli.main import main

sys.exit(main())
