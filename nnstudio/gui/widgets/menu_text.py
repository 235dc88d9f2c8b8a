"""Menu entries made from the user's or the project's text (titles, file names) show an '&' as written."""


def as_menu_text(text: str) -> str:
    """Qt reads a lone '&' in a menu entry as "underline the next letter": 'Wide & Deep' showed as 'Wide _Deep'."""
    return text.replace("&", "&&")
