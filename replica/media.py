"""Real, small images built in code: baseline JPEG and PNG (attachments: replica.attachments).

The encoders are minimal by design and fast (the replica serves thousands of images per
crawl): a JPEG of flat 8×8 blocks (DC coefficients only, the standard Huffman tables of ITU
T.81 Annex K) and a PNG via zlib. Every output is a pure function of its key.
"""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

from replica.determinism import rng

# ITU T.81 Annex K.3: luminance DC code lengths per category 0..11 and their codes.
_DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
_DC_VALS = list(range(12))
_AC_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D]
_AC_VALS = bytes.fromhex(
    "01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a"
    "25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a"
    "838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9ca"
    "d2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa"
)


def _huffman_codes(bits: list[int], vals: list[int] | bytes) -> dict[int, tuple[int, int]]:
    codes, code, k = {}, 0, 0
    for length in range(1, 17):
        for _ in range(bits[length - 1]):
            codes[vals[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


_DC_CODES = _huffman_codes(_DC_BITS, _DC_VALS)
_EOB = _huffman_codes(_AC_BITS, _AC_VALS)[0x00]


@lru_cache(maxsize=8192)
def _block_bits(diff: int) -> str:
    """The bits of one flat 8×8 block: DC difference category, its magnitude bits, EOB."""
    size = abs(diff).bit_length()
    code, length = _DC_CODES[size]
    bits = format(code, f"0{length}b")
    if size:
        bits += format(diff if diff > 0 else diff + (1 << size) - 1, f"0{size}b")
    return bits + format(_EOB[0], f"0{_EOB[1]}b")


def _entropy_coded(bits: str) -> bytes:
    """A string of '0'/'1' packed MSB first, padded with 1 bits, 0xFF byte-stuffed.

    One int conversion for the whole scan: a bit-at-a-time writer made each 640×424 photo
    cost ~18 ms, and the replica's own CPU then dominated every crawl benchmark.
    """
    bits += "1" * (-len(bits) % 8)
    packed = int(bits, 2).to_bytes(len(bits) // 8, "big") if bits else b""
    return packed.replace(b"\xff", b"\xff\x00")


def jpeg(key: str, width: int = 64, height: int = 48, weight: int = 0) -> bytes:
    """A grayscale baseline JPEG made of flat 8×8 blocks whose shades depend on `key`.

    `weight` adds about that many bytes of deterministic, incompressible data in APP15 segments
    (which decoders skip). News photos on the portal weigh tens of KB; without that weight the
    replica's images would be a few hundred bytes, and dedup ratios and MB/s benchmarks measured
    against it would not say what they say on the real site.
    """
    r = rng("jpeg", key)
    bw, bh = width // 8, height // 8
    base = r.randint(40, 200)
    levels = [max(0, min(255, base + r.randint(-40, 40))) for _ in range(bw * bh)]
    dcs = [8 * (level - 128) for level in levels]  # DCT of a flat block, quantizer 1
    scan = "".join(_block_bits(dc - prev) for dc, prev in zip(dcs, [0, *dcs], strict=False))
    seg = bytearray(b"\xff\xd8")
    seg += b"\xff\xe0" + struct.pack(">H5sBBBHHBB", 16, b"JFIF\0", 1, 1, 0, 72, 72, 0, 0)
    comment = f"replica {key}".encode()
    seg += b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    padding = r.randbytes(weight) if weight > 0 else b""
    for start in range(0, len(padding), 65000):
        part = padding[start:start + 65000]
        seg += b"\xff\xef" + struct.pack(">H", len(part) + 2) + part
    seg += b"\xff\xdb" + struct.pack(">HB", 67, 0) + bytes([1] * 64)
    seg += b"\xff\xc0" + struct.pack(">HBHHBBBB", 11, 8, height, width, 1, 1, 0x11, 0)
    dht_dc = bytes(_DC_BITS) + bytes(_DC_VALS)
    dht_ac = bytes(_AC_BITS) + _AC_VALS
    seg += b"\xff\xc4" + struct.pack(">HB", 3 + len(dht_dc), 0x00) + dht_dc
    seg += b"\xff\xc4" + struct.pack(">HB", 3 + len(dht_ac), 0x10) + dht_ac
    seg += b"\xff\xda" + struct.pack(">HBBBBBB", 8, 1, 1, 0x00, 0, 63, 0)
    seg += _entropy_coded(scan) + b"\xff\xd9"
    return bytes(seg)


def png(key: str, width: int = 48, height: int = 32) -> bytes:
    """An RGB PNG with a gradient whose colours depend on `key`."""
    r = rng("png", key)
    c0 = [r.randint(0, 255) for _ in range(3)]
    c1 = [r.randint(0, 255) for _ in range(3)]
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            t = x / max(1, width - 1)
            rows += bytes(int(c0[i] + (c1[i] - c0[i]) * t) ^ (y & 7) for i in range(3))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(
            ">I", zlib.crc32(tag + data) & 0xFFFFFFFF
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))
