"""python -m bot.fake_telegram --port 8081 --token T --user 111:Alice --user 222:Bob"""

from __future__ import annotations

import sys

from .console import main

if __name__ == "__main__":
    sys.exit(main())
