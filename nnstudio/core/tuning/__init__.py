"""Hyperparameter search spaces drawn from a project (no Qt, no torch, no optuna)."""
