"""Prompt templates: named, versioned, and built from each game's rules."""

import pytest

from gamecwm.games import game_names, get_game, load_rules
from gamecwm.generate.prompts import build_messages, get_template, strip_example


@pytest.mark.parametrize("name", game_names())
def test_no_example_template_removes_the_example_section(name: str) -> None:
    rules = load_rules(name)
    stripped = strip_example(rules)
    assert len(stripped) < len(rules), f"{name}: rules.md has no '## Example' section"
    assert "## Example" not in stripped
    plain = build_messages(name, "protocol")[1]["content"]
    without = build_messages(name, "protocol-no-example")[1]["content"]
    assert rules.strip() in plain and len(without) < len(plain)


def test_protocol_text_depends_on_the_information_kind() -> None:
    perfect = [g for g in game_names() if not get_game(g).imperfect_information][0]
    imperfect = [g for g in game_names() if get_game(g).imperfect_information][0]
    assert "resample_history" not in build_messages(perfect)[1]["content"]
    assert "resample_history" in build_messages(imperfect)[1]["content"]


def test_templates_have_ids_and_unknown_ones_are_rejected() -> None:
    assert get_template("protocol").id == "protocol@1"
    assert get_template("protocol@1").name == "protocol"
    with pytest.raises(ValueError, match="known templates"):
        get_template("protocol@7")
    with pytest.raises(ValueError, match="unknown prompt template"):
        get_template("fancy")


def test_rules_template_states_what_sinks_small_models_and_the_old_ones_stay() -> None:
    from gamecwm.generate.prompts import CODING_RULES_TEXT, TEMPLATES

    assert get_template("protocol-rules").id == "protocol-rules@1"
    assert {"protocol", "protocol-no-example"} <= set(TEMPLATES)
    plain = build_messages("tic_tac_toe", "protocol")[1]["content"]
    ruled = build_messages("tic_tac_toe", "protocol-rules")[1]["content"]
    assert CODING_RULES_TEXT not in plain
    assert ruled == plain.rstrip("\n") + "\n\n" + CODING_RULES_TEXT + "\n"
    for phrase in ("only imports, constants and function definitions", "Do not define classes",
                   "never changes the state it is given", "whose turn it is next"):
        assert phrase in ruled
