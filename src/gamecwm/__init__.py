"""gamecwm: natural-language game rules to executable, verified Python game models (GameCWMs)."""

__version__ = "0.1.0"
