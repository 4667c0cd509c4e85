"""The verifier: score any GameCWM against its game as a report, a metric and a reward."""

from gamecwm.verify.config import DEFAULT_WEIGHTS, VerifyConfig
from gamecwm.verify.report import Check, Report, Tier, format_report
from gamecwm.verify.verifier import verify

__all__ = ["DEFAULT_WEIGHTS", "Check", "Report", "Tier", "VerifyConfig", "format_report", "verify"]
