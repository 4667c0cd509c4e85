"""Evaluation: verify generated samples, compute metrics (pass@k, bootstrap intervals), write reports."""
