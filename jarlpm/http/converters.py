"""URL converters registered on the app's url_map (create_app does it before adding any blueprint)."""

from __future__ import annotations

import re

from werkzeug.routing import BaseConverter, Map


class SegmentExcept(BaseConverter):
    """One path segment that is none of the given words: `<except("standalone", "ai"):story_id>`.

    A bare `<story_id>` also matches the fixed segments beside it (`/stories/standalone`), so the
    router would add the id routes' methods to what OPTIONS advertises there and send a PUT to
    them; refusing the words in the pattern (not in to_python, which is too late to try other
    rules) keeps the two kinds of path apart.
    """

    def __init__(self, url_map: Map, *reserved: str) -> None:
        super().__init__(url_map)
        words = "|".join(re.escape(word) for word in reserved)
        # Werkzeug matches this against one segment and appends its own \Z after it.
        self.regex = rf"(?!(?:{words})\Z)[^/]+" if reserved else "[^/]+"


CONVERTERS = {"except": SegmentExcept}
