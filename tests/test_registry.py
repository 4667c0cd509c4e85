"""The game registry: listing, metadata, loading, and clear errors for unknown names."""

import json

import pytest

from gamecwm.games import UnknownGameError, game_names, get_game, list_games, load_reference
from gamecwm.games.registry import GameMetadataError, _read_meta


def test_every_game_has_its_files() -> None:
    for info in list_games():
        assert info.reference_path.is_file()
        assert info.rules_path.is_file()
        assert info.scenarios_path.is_file()


def test_unknown_game_suggests_close_names() -> None:
    with pytest.raises(UnknownGameError) as excinfo:
        get_game("tic_tac_to")
    assert "tic_tac_toe" in str(excinfo.value)


def test_filters_by_split_and_information() -> None:
    train = list_games(split="train")
    test = list_games(split="test")
    assert {g.name for g in train} | {g.name for g in test} == set(game_names())
    assert all(g.tier in (1, 2, 3, 4) for g in train)
    assert all(g.tier is None for g in test)
    assert all(g.information == "imperfect" for g in list_games(information="imperfect"))


def test_load_reference_returns_the_module() -> None:
    module = load_reference("tic_tac_toe")
    assert module.get_current_player(module.get_initial_state()) == 0


def test_bad_metadata_is_a_clear_error(tmp_path) -> None:
    folder = tmp_path / "broken_game"
    folder.mkdir()
    (folder / "meta.json").write_text(json.dumps({"name": "broken_game", "title": "B"}))
    with pytest.raises(GameMetadataError, match="missing fields"):
        _read_meta(folder)


def test_json_form_has_the_documented_fields() -> None:
    data = get_game("tic_tac_toe").to_json()
    assert set(data) == {"name", "title", "information", "chance", "split", "tier", "ood", "max_game_length",
                         "reference_path"}
    assert data["reference_path"] == str(get_game("tic_tac_toe").folder / "reference.py")
