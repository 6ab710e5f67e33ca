#!/usr/bin/env python3
"""Reads a PNG (8-bit RGB or RGBA, as Chromium writes screenshots) with zlib alone and
prints what the charts test needs: the share of non-white pixels and, for each colour given,
how many pixels have it (within a small tolerance, for anti-aliasing). Exits 1 with a
reason when --min-pixels or --min-ink is not met."""
import argparse, struct, sys, zlib

p = argparse.ArgumentParser()
p.add_argument("png")
p.add_argument("--colour", action="append", default=[], help="rrggbb")
p.add_argument("--min-pixels", type=int, default=0, help="each colour at least this often")
p.add_argument("--min-ink", type=float, default=0.0, help="share of non-white pixels")
p.add_argument("--tolerance", type=int, default=24)
a = p.parse_args()

data = open(a.png, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"{a.png}: not a PNG")
pos, idat, width = 8, [], None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    pos += 12 + n
    if kind == b"IHDR":
        width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        if depth != 8 or ctype not in (2, 6) or interlace:
            sys.exit(f"{a.png}: unsupported PNG (depth {depth}, colour type {ctype})")
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat.append(body)
    elif kind == b"IEND":
        break
raw = zlib.decompress(b"".join(idat))
stride = width * bpp
prev = bytearray(stride)
rows = []
for y in range(height):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if f == 1:
        for i in range(bpp, stride):
            line[i] = (line[i] + line[i - bpp]) & 255
    elif f == 2:
        line = bytearray((x + u) & 255 for x, u in zip(line, prev))
    elif f == 3:
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
    elif f == 4:
        for i in range(stride):
            l = line[i - bpp] if i >= bpp else 0
            u = prev[i]
            ul = prev[i - bpp] if i >= bpp else 0
            pp = l + u - ul
            pa, pb, pc = abs(pp - l), abs(pp - u), abs(pp - ul)
            pred = l if pa <= pb and pa <= pc else (u if pb <= pc else ul)
            line[i] = (line[i] + pred) & 255
    elif f != 0:
        sys.exit(f"{a.png}: bad filter {f} on row {y}")
    rows.append(bytes(line))
    prev = line

want = [tuple(int(c[i:i + 2], 16) for i in (0, 2, 4)) for c in a.colour]
counts = [0] * len(want)
ink = 0
t = a.tolerance
for line in rows:
    for x in range(0, stride, bpp):
        r, g, b = line[x], line[x + 1], line[x + 2]
        if r > 245 and g > 245 and b > 245:
            continue
        ink += 1
        for k, (wr, wg, wb) in enumerate(want):
            if abs(r - wr) <= t and abs(g - wg) <= t and abs(b - wb) <= t:
                counts[k] += 1
share = ink / (width * height)
print(f"{width}x{height} non-white {share:.4f} " +
      " ".join(f"#{c}:{n}" for c, n in zip(a.colour, counts)))
bad = [f"#{c} has {n} pixels (< {a.min_pixels})" for c, n in zip(a.colour, counts) if n < a.min_pixels]
if share < a.min_ink:
    bad.append(f"only {share:.4f} of the pixels are not white (< {a.min_ink})")
if bad:
    sys.exit("; ".join(bad))
