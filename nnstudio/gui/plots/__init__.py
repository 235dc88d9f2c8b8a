"""pyqtgraph plumbing shared by the plots: live curves, plot views and ranges."""
