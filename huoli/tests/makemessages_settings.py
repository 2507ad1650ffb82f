"""Settings for test_translations: makemessages writes into a scratch copy of the catalogues."""

import os
from pathlib import Path

from huoli.settings import *  # noqa: F403

LOCALE_PATHS = [Path(os.environ["HUOLI_TEST_LOCALE_DIR"])]
