"""Post-training: a tiny local model, SFT data, SFT and GRPO trainers with the verifier as reward."""
