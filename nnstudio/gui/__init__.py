"""The PySide6 desktop interface: canvas, palette, inspector, training panels."""
