"""Editing the drawing: the document, undo commands and file actions."""
