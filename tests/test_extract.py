"""Code extraction from messy model completions."""

from gamecwm.extract import extract_code

PROGRAM = "def get_initial_state():\n    return {}\n\ndef apply_action(state, action):\n    return state\n"


def test_plain_code_is_returned_whole() -> None:
    assert extract_code(PROGRAM) == PROGRAM


def test_fenced_block_is_taken_from_prose() -> None:
    completion = f"Here is the game:\n```python\n{PROGRAM}```\nIt follows the rules."
    assert extract_code(completion) == PROGRAM


def test_block_defining_most_protocol_functions_wins() -> None:
    completion = f"Usage:\n```python\nstate = get_initial_state()\n```\nProgram:\n```py\n{PROGRAM}```\n```json\n{{}}\n```"
    assert extract_code(completion) == PROGRAM


def test_unterminated_fence_at_token_limit() -> None:
    completion = f"```python\n{PROGRAM}def get_rewards(state):\n    return [0.0"
    code = extract_code(completion)
    assert code.startswith("def get_initial_state") and "def get_rewards" in code


def test_reasoning_section_is_dropped() -> None:
    completion = f"<think>\n```python\ndef get_initial_state(): pass\n```\n</think>\n```python\n{PROGRAM}```"
    assert extract_code(completion) == PROGRAM


def test_last_of_equally_good_blocks_is_the_final_version() -> None:
    first = PROGRAM.replace("{}", "{'v': 1}")
    completion = f"```python\n{first}```\nFixed:\n```python\n{PROGRAM}```"
    assert extract_code(completion) == PROGRAM


def test_non_python_fences_are_ignored() -> None:
    completion = f"```bash\npip install x\n```\n```\n{PROGRAM}```"
    assert extract_code(completion) == PROGRAM
