"""`python -m bot …` is `onboardbot …`."""

import sys

from bot.cli import main

sys.exit(main())
