"""The Experiments room: a hyperparameter search the student sets up from the drawing, runs and reads."""
