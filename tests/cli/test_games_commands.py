"""The `gamecwm games ...` and `gamecwm demo` commands."""

import json
from pathlib import Path

from gamecwm.cli import main
from gamecwm.games import game_names


def test_games_list_json(capsys) -> None:
    assert main(["games", "list", "--json"]) == 0
    games = json.loads(capsys.readouterr().out)
    assert [g["name"] for g in games] == game_names()
    for game in games:
        assert game["information"] in ("perfect", "imperfect")
        assert isinstance(game["chance"], bool) and isinstance(game["ood"], bool)
        assert game["split"] in ("train", "test")
        assert Path(game["reference_path"]).is_absolute() and Path(game["reference_path"]).is_file()


def test_games_show_prints_the_rules(capsys) -> None:
    assert main(["games", "show", "tic_tac_toe"]) == 0
    assert "x(0,0)" in capsys.readouterr().out


def test_games_play_ends_with_rewards(capsys) -> None:
    assert main(["games", "play", "tic_tac_toe", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "terminal" in out and "rewards" in out


def test_unknown_game_exits_2_with_a_suggestion(capsys) -> None:
    assert main(["games", "show", "tictactoe"]) == 2
    assert "tic_tac_toe" in capsys.readouterr().err
