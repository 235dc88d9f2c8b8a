"""The editor's side panels: palette, inspector, issues, summary and data."""
