"""Small widgets and helpers shared by every room."""
