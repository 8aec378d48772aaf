"""``python -m bot`` is the same program as the ``promptbot`` console script."""

from bot.cli import main

raise SystemExit(main())
