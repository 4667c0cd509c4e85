"""Test-time repair: feed the verifier's most informative failure back to the model, search over versions."""
