"""Hyperparameter search with Optuna: the study and its storage, one trial, worker processes, reading results."""
