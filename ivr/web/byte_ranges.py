"""HTTP Range requests for recordings, bounded.

Browsers ask for one range at a time (`bytes=0-`, `bytes=123456-`) to seek
in an <audio> element. Many ranges, or overlapping ones, in one request are
how a client makes a server read the same bytes over and over (the "Apache
Killer" of 2011): this desk serves a single range and refuses the rest with
416, so one request never reads more than the file once.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_HEADER = 100  # a single range is far shorter


class RangeNotSatisfiable(ValueError):
    """416: say `Content-Range: bytes */<size>` with it."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range asked for, clipped to the file; None for the whole file.

    A header in another unit than bytes is ignored (RFC 9110 §14.2: the whole
    file is sent). Several ranges, a malformed one or one that starts past the
    end raise RangeNotSatisfiable.
    """
    if not header:
        return None
    header = header.strip()
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    if len(header) > MAX_HEADER or "," in spec:
        raise RangeNotSatisfiable("only one byte range per request is served")
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()):
        raise RangeNotSatisfiable(f"malformed range {spec!r}")
    if (first and not first.isdigit()) or (last and not last.isdigit()):
        raise RangeNotSatisfiable(f"malformed range {spec!r}")
    if not first:  # "-N": the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable("an empty suffix range")
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        raise RangeNotSatisfiable(f"range {spec!r} is outside the {size} bytes of the file")
    return ByteRange(start, min(end, size - 1))
