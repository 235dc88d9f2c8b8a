"""Training in the window: the session, its worker thread and the training, curves and runs panels."""
