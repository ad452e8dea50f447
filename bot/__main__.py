"""`python -m bot` is the `bridgebot` command line."""

from bot.cli import main

raise SystemExit(main())
