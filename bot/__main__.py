"""``python -m bot`` runs the same command-line interface as the ``azabot`` script."""

from bot.cli import main

raise SystemExit(main())
