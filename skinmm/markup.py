"""User text inside Markdown: shown as typed, never as markup.

Streamlit renders captions, alerts and headers as Markdown (with its own additions: ``:red[…]``
colours, ``:material/…:`` icons, ``$…$`` formulas). A patient reference, a note, a bundle
name or a case id from a link that is pasted into such a string could draw an image the
browser fetches (``![x](http://…)``), a link or bold text. :func:`escape_markdown` makes it
inert; pages that can show it with ``st.text`` / ``st.code`` or in a table do that instead.
"""

from __future__ import annotations

import re
import string

# CommonMark lets a backslash escape any ASCII punctuation character, and only those.
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\t\f\v]+")


def escape_markdown(text: object) -> str:
    """``text`` with every Markdown-significant character escaped, on one line."""
    one_line = _LINE_BREAKS.sub(" ", str(text))
    return _PUNCTUATION.sub(r"\\\1", one_line)
