"""Sign-off photos for the demo parcels: a small real PNG (a parcel on a doorstep) drawn without any imaging
library. Each parcel's picture differs (its label colour and stripes come from the tracking number), so a test
can tell one parcel's photo from another's. Real photos are uploaded by the courier's app
(`PUT /api/v1/parcels/{n}/pod-photo`)."""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Callable

WIDTH, HEIGHT = 160, 120
Pixel = tuple[int, int, int]


def encode_png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An 8-bit RGB PNG of `pixel(x, y)`."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


def sign_off_photo(tracking_number: str) -> bytes:
    digest = hashlib.sha256(tracking_number.encode()).digest()
    label: Pixel = (digest[0] // 2 + 96, digest[1] // 2 + 96, digest[2] // 2 + 96)
    stripes = [digest[3 + i] % 2 for i in range(12)]

    def pixel(x: int, y: int) -> Pixel:
        box = 40 <= x < 120 and 30 <= y < 100
        if box:
            if 76 <= x < 84:
                return (222, 200, 150)  # tape
            if 50 <= x < 74 and 40 <= y < 56:
                # the waybill label with a barcode-like pattern unique to the parcel
                return (30, 30, 30) if 44 <= y < 52 and stripes[(x - 50) // 2] else label
            return (176, 128, 80)
        if y >= 90:
            return (150, 150, 145)  # doorstep
        return (226, 230, 236)  # wall

    return encode_png(WIDTH, HEIGHT, pixel)
