"""The graphics items the canvas draws: node cards, ports and wires."""
