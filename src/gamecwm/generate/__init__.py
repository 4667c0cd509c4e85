"""Generation: prompts for a language model, backends that sample completions, code extraction."""
