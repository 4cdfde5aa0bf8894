"""Provider text made safe to store and to send, once, where it enters the service.

Two things a provider may legally put in its JSON break us further down: U+0000, which PostgreSQL
refuses in `text`, and a lone UTF-16 surrogate (`"\\ud800"`), which decodes to a Python str that
cannot be encoded as UTF-8 (the SSE frame, the database driver and the JSON response all fail on it).
"""

from __future__ import annotations

import re

NUL = "\x00"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _is_high_surrogate(char: str) -> bool:
    return "\ud800" <= char <= "\udbff"


def clean(text: str) -> str:
    """The text without U+0000; surrogate halves that stand side by side joined, lone ones made U+FFFD."""
    text = text.replace(NUL, "")
    if _SURROGATE.search(text) is None:
        return text
    # Surrogates only mean something in UTF-16: read back as UTF-16 code units, a high half followed by
    # a low half becomes its character, and the decoder's "replace" turns every other half into U+FFFD.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class DeltaCleaner:
    """Cleans a reply that arrives in deltas, so a surrogate pair cut between two deltas survives.

    A provider that escapes a character outside the BMP as two `\\u` escapes may put them in separate
    chunks; a high half that ends a delta is therefore held back and joined with the next delta (a low
    half there completes it; anything else turns it into U+FFFD). `flush()` gives what is still held.
    """

    def __init__(self) -> None:
        self._held = ""

    def feed(self, delta: str) -> str:
        """The cleaned text ready to pass on (possibly empty)."""
        text = (self._held + delta).replace(NUL, "")
        if text and _is_high_surrogate(text[-1]):
            text, self._held = text[:-1], text[-1]
        else:
            self._held = ""
        return clean(text)

    def flush(self) -> str:
        """What the reply ends with: a held high half, alone for good, as U+FFFD (or nothing)."""
        held, self._held = self._held, ""
        return clean(held)
