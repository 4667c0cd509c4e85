"""Allow `python -m gamecwm`."""

from gamecwm.cli import main

raise SystemExit(main())
