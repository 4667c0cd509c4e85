"""Planning with GameCWMs: MCTS and ISMCTS, agents, the arena, playability, and OpenSpiel interoperability.

Modules: `mcts` (UCT), `ismcts` (information-set MCTS), `planner` (one decision from a true-game
history), `agents` (agent specs), `arena` (matches on the true game), `remote` and `drivers`
(planning with an untrusted model inside the sandbox), `playability` (the planning value of a
generated model), `openspiel` (any GameCWM as an OpenSpiel game; imports pyspiel).

Nothing is imported here, so the sandbox's fork server can load `gamecwm.play.drivers` without
OpenSpiel.
"""
