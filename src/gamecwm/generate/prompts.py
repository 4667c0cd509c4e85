"""Prompts: a game's rules and the GameCWM protocol as chat messages, from named, versioned templates.

Every generated sample records the template's id (`name@version`), so a run says exactly which
prompt produced it. Changing a template's text means a new version, never an edit in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gamecwm.games import get_game, load_rules

Messages = list[dict[str, str]]

SYSTEM_PROMPT = (
    "You are an expert Python programmer who turns the rules of games into exact, executable code. "
    "You answer with one complete Python module in a single ```python code block."
)

PROTOCOL_TEXT = """\
Write a Python module (a "game code world model") that implements these rules exactly, using only the
Python standard library, as module-level functions (no classes are required):

- `get_initial_state() -> dict`: the state before the first action.
- `get_current_player(state) -> int`: 0 or 1 for a player's turn, -1 at a chance node, -4 once the game is over.
- `get_player_name(player_id) -> str`.
- `get_legal_actions(state) -> list[str]`: the legal actions of the player to move as exact strings; at a
  chance node, the possible chance outcomes; an empty list at a terminal state.
- `apply_action(state, action) -> dict`: returns a NEW state (never modify the input state) and raises
  `ValueError` for any action that is not legal.
- `get_rewards(state) -> list[float]`: `[reward_player0, reward_player1]`.
- `get_observations(state) -> list`: `[observation_player0, observation_player1]`, each exactly what that
  player may see.
- `get_chance_outcomes(state) -> list[tuple[str, float]]`: only when chance outcomes are not equally
  likely: each outcome with its probability (they sum to 1).
{imperfect}
States should be plain data (dicts, lists, strings, numbers, booleans, None). Use the exact action strings
the rules specify."""

IMPERFECT_TEXT = """\
- `resample_history(obs_action_history, player_id) -> list[str]`: this game has hidden information.
  Given one player's list of (observation, own action) pairs, one per turn of that player so far (the last
  action may be None: the player is to move and has not acted yet), return a complete list of actions
  from the initial state (chance outcomes included) that replays legally, gives that player exactly those
  observations at its turns, and contains exactly its actions; hidden information is sampled at random
  among all possibilities consistent with what the player saw. Return [] for an empty input.
"""

CODING_RULES_TEXT = """\
Rules for the module (a module that breaks them fails before any of its logic is checked):
- At module level write only imports, constants and function definitions. No example usage, no print
  calls, no tests, no `if __name__ == "__main__":` block: nothing may run when the module is imported.
- Write every function above as a plain module-level function. Do not define classes.
- `apply_action` never changes the state it is given: copy it first (for example with `copy.deepcopy`)
  and return the new state.
- After every action, set whose turn it is next: the other player, a chance node (-1) or the end of the
  game (-4), exactly as the rules say.
- Implement the whole game exactly as the rules state (board size, pieces, every rule); no placeholders,
  no `pass`, no TODO."""

_EXAMPLE_SECTION = re.compile(r"^##[^\n]*\bexamples?\b[^\n]*\n.*?(?=^## |\Z)", re.IGNORECASE | re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class PromptTemplate:
    """A named, versioned way of turning a game's rules into chat messages."""

    name: str
    version: int
    description: str
    include_example: bool = True
    coding_rules: bool = False  # add CODING_RULES_TEXT: what sinks small models, stated plainly

    @property
    def id(self) -> str:
        """`name@version`, recorded with every sample."""
        return f"{self.name}@{self.version}"


TEMPLATES: dict[str, PromptTemplate] = {
    template.name: template
    for template in (
        PromptTemplate("protocol", 1, "the rules (with their example trajectory) and the protocol"),
        PromptTemplate("protocol-no-example", 1, "the rules without their example trajectory, and the protocol",
                       include_example=False),
        PromptTemplate("protocol-rules", 1, "the rules (with their example trajectory), the protocol, and plain "
                       "rules for the module: definitions only at module level, functions not classes, new states, "
                       "switching players", coding_rules=True),
    )
}
DEFAULT_TEMPLATE = "protocol"


def get_template(name: str) -> PromptTemplate:
    """A template by name (or `name@version`); a clear error lists the known ones."""
    base, _, version = name.partition("@")
    template = TEMPLATES.get(base)
    if template is None or (version and version != str(template.version)):
        known = ", ".join(t.id for t in TEMPLATES.values())
        raise ValueError(f"unknown prompt template {name!r}; known templates: {known}")
    return template


def strip_example(rules: str) -> str:
    """The rules without their example section(s)."""
    return _EXAMPLE_SECTION.sub("", rules).rstrip() + "\n"


def build_messages(game: str, template: str | PromptTemplate = DEFAULT_TEMPLATE) -> Messages:
    """The chat messages asking a model to write the GameCWM for a registered game."""
    template = get_template(template) if isinstance(template, str) else template
    info = get_game(game)
    rules = load_rules(game)
    if not template.include_example:
        rules = strip_example(rules)
    protocol = PROTOCOL_TEXT.format(imperfect=IMPERFECT_TEXT if info.imperfect_information else "")
    if template.coding_rules:
        protocol += "\n\n" + CODING_RULES_TEXT
    user = f"# Rules of the game\n\n{rules.strip()}\n\n# Your task\n\n{protocol}\n"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]
