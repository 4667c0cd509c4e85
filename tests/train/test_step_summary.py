"""A trainer's log entries summarised as one line each."""

from __future__ import annotations

from gamecwm.train.models import step_summary


def test_a_training_step_is_one_line_with_its_values_and_seconds() -> None:
    assert step_summary({"loss": 1.0634, "grad_norm": 3.2, "learning_rate": 5e-4}, 2, 3, 61.4) == \
        "step 2/3: loss 1.063 (61 s)"
    line = step_summary({"reward": 0.25, "rewards/verifier_score/mean": 0.0, "rewards/partial_credit/mean": 0.5},
                        1, 40, 9.0)
    assert line == "step 1/40: reward 0.25, verifier score 0, partial credit 0.5 (9 s)"


def test_an_evaluation_before_training_and_entries_with_nothing_to_show() -> None:
    assert step_summary({"eval_loss": 0.7123}, 0, 0, 12.0) == "before training: held-out loss 0.7123 (12 s)"
    assert step_summary({"train_runtime": 100.0, "train_loss": 1.0}, 3, 3, 1.0) is None
    assert step_summary({"loss": "nan?"}, 1, 3, 1.0) is None
