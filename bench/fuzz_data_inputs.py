"""Input generators for bench/fuzz_data_files.py: valid, mutated, hostile and random .npz, IDX and CSV files."""

from __future__ import annotations

import gzip
import io
import random
import struct
import zlib
from functools import lru_cache

import numpy as np

MB = 1 << 20
_DTYPES = ["<f8", "<f4", ">f8", "<f2", "|u1", "|i1", "<i2", ">i4", "<i8", "|b1", "<u4", "<c16", "<U3", "|O",
           "<M8[s]", "|V4"]


# --- byte-level building blocks ------------------------------------------------------------------------

@lru_cache(maxsize=64)  # bombs repeat: build each once per worker
def deflated(prefix: bytes, zeros: int) -> tuple[bytes, int]:
    """Raw deflate data of prefix + zeros zero bytes and its CRC-32, from one repeated flushed 1 MB block."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(bytes(MB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    whole, rest = divmod(zeros, MB)
    tail = compressor.compress(bytes(rest)) + compressor.flush()
    crc = zlib.crc32(prefix)
    for _ in range(whole):
        crc = zlib.crc32(bytes(MB), crc)
    return head + block * whole + tail, zlib.crc32(bytes(rest), crc)


def gzip_bomb(prefix: bytes, zeros: int) -> bytes:
    data, crc = deflated(prefix, zeros)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + data + struct.pack("<II", crc, (len(prefix) + zeros) % 2**32)


def zip_bytes(members: list[tuple[str, bytes, int, int, int, int]]) -> bytes:
    """A zip written byte by byte: (name, data as stored, CRC, uncompressed size, method, flag bits) each."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, crc, size, method, flags in members:
        offset, encoded = out.tell(), name.encode()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, 0, 0, crc, len(data), size,
                              len(encoded), 0) + encoded + data)
        central.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, method, 0, 0, crc, len(data),
                                  size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    directory = central.getvalue()
    return out.getvalue() + directory + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members),
                                                    len(directory), out.tell(), 0)


def stored(name: str, data: bytes, method: int = 0, flags: int = 0) -> tuple:
    return name, data, zlib.crc32(data), len(data), method, flags


def npy_header(shape, descr: str = "<f8", text: str = "", fortran: bool = False) -> bytes:
    text = text or f"{{'descr': {descr!r}, 'fortran_order': {fortran}, 'shape': {tuple(shape)!r}, }}"
    text += " " * (-(len(text) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text) % 65536) + text.encode("latin1", "replace")


def mutate(rng: random.Random, data: bytes) -> bytes:
    """A few byte flips, inserts, deletions or a truncation: the damage real downloads and disks do."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        if not data:
            break
        position = rng.randrange(len(data))
        action = rng.random()
        if action < 0.5:
            data[position] = rng.randrange(256)
        elif action < 0.7:
            data[position:position] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif action < 0.85:
            del data[position:position + rng.randint(1, 16)]
        else:
            del data[position:]
    return bytes(data)


def random_bytes(rng: random.Random, prefix: bytes = b"") -> bytes:
    return prefix + rng.randbytes(rng.randint(0, 600))


# --- .npz ----------------------------------------------------------------------------------------------

def _random_array(rng: random.Random, n: int) -> np.ndarray:
    shape = (n,) + tuple(rng.randint(1, 5) for _ in range(rng.randint(0, 3)))
    kind = rng.choice(["f8", "f4", "u1", "i4", "bool", "nan", "big"])
    values = np.random.default_rng(rng.randrange(2**32)).normal(size=shape) * 10
    if kind == "nan" and values.size:
        values.flat[rng.randrange(values.size)] = rng.choice([np.nan, np.inf])
    if kind == "big":
        values *= 1e300
    return values.astype({"f4": np.float32, "u1": np.uint8, "i4": np.int32, "bool": bool}.get(kind, np.float64))


def valid_npz(rng: random.Random) -> bytes:
    n = rng.randint(0 if rng.random() < 0.05 else 1, 20)
    buffer = io.BytesIO()
    save = np.savez_compressed if rng.random() < 0.5 else np.savez
    if rng.random() < 0.7:
        arrays = {rng.choice("xX"): _random_array(rng, n)}
        if rng.random() < 0.8:
            arrays[rng.choice("yY")] = _random_array(rng, n if rng.random() < 0.9 else n + 1)[..., :1] \
                if rng.random() < 0.3 else np.arange(n) % rng.randint(1, 4)
        if rng.random() < 0.2:
            arrays = {k: np.asfortranarray(v) for k, v in arrays.items()}
    else:
        arrays = {f"c{i}": _random_array(rng, n).reshape(-1)[:n] for i in range(rng.randint(1, 4))}
    save(buffer, **arrays)
    return buffer.getvalue()


def hostile_npz(rng: random.Random) -> bytes:
    good = npy_header((3, 2)) + np.arange(6, dtype="<f8").tobytes()
    kind = rng.randrange(12)
    if kind == 0:
        return zip_bytes([stored("x.npy", good, flags=0x1)])  # encrypted
    if kind == 1:
        return zip_bytes([stored("x.npy", good, method=rng.choice([12, 14, 99, 9, 1]))])  # bzip2, LZMA, ...
    if kind == 2:
        return zip_bytes([stored("x.npy", good, method=8)])  # stored bytes read as a deflate stream
    if kind == 3:
        junk = rng.choice(["'''", "((((" * 300, "\x00", "{'descr': '<f8', 'fortran_order': False, 'shape': (3,",
                           "1e999",
                           "{'descr': 'O', 'fortran_order': False, 'shape': (1,), }", "[]", "{'a': __import__}"])
        return zip_bytes([stored("x.npy", npy_header((), text=junk) + bytes(48))])
    if kind == 4:  # declared shapes far beyond the data (10^12 values, 2^40, negative, huge dims)
        shape = rng.choice([(10**6, 10**6), (2**40,), (-1, 3), (2**63, 2), (3, 2**62), (0, 10**9), (10**9, 0)])
        return zip_bytes([stored("x.npy", npy_header(shape, rng.choice(_DTYPES[:6])) + bytes(48))])
    if kind == 5:  # an honest header over the cap, in a deflated member of a few hundred KB
        zeros = rng.choice([201, 300, 667]) * 10**6
        data, crc = deflated(npy_header((zeros,), "|u1"), zeros)
        return zip_bytes([("x.npy", data, crc, 128 + zeros, 8, 0)])
    if kind == 6:  # a member claiming a small array but holding megabytes of zeros
        data, crc = deflated(npy_header((2,), "<f8"), rng.choice([1, 50, 300]) * MB)
        return zip_bytes([("x.npy", data, crc, 144, 8, 0)])
    if kind == 7:
        return zip_bytes([stored("x.npy", npy_header((3,), rng.choice(_DTYPES)) + bytes(48))])
    if kind == 8:  # names a terminal would act on, long names, many tiny members
        name = rng.choice(["\x1b[2J", "\u202e" + "n" * 500, "../../etc", "x" * 5000]) + ".npy"
        return zip_bytes([stored(name, npy_header((2,)) + bytes(16))] * rng.randint(1, 3))
    if kind == 9:
        return zip_bytes([stored(f"c{i}.npy", npy_header((2,)) + bytes(16)) for i in range(rng.randint(2, 3000))])
    if kind == 10:
        return b"\x93NUMPY" + random_bytes(rng)
    return zip_bytes([stored("x.npy", mutate(rng, good))])


def npz_input(rng: random.Random) -> dict[str, bytes]:
    choice = rng.random()
    if choice < 0.3:
        data = valid_npz(rng)
    elif choice < 0.65:
        data = mutate(rng, valid_npz(rng))
    elif choice < 0.9:
        data = hostile_npz(rng)
    else:
        data = random_bytes(rng, rng.choice([b"", b"PK\x03\x04", b"PK\x05\x06"]))
    return {"data.npz": data}


# --- IDX -----------------------------------------------------------------------------------------------

_IDX = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def idx_header(type_code: int, *dims: int) -> bytes:
    return struct.pack(">BBBB", 0, 0, type_code, len(dims)) + struct.pack(f">{len(dims)}I", *dims)


def _idx(rng: random.Random, array: np.ndarray, code: int) -> bytes:
    data = idx_header(code, *array.shape) + array.astype(_IDX[code]).tobytes()
    return gzip.compress(data, 1) if rng.random() < 0.5 else data


def idx_input(rng: random.Random) -> dict[str, bytes]:
    n = rng.randint(1, 12)
    code = rng.choice(list(_IDX))
    shape = (n, rng.randint(1, 6), rng.randint(1, 6))
    images = np.random.default_rng(rng.randrange(2**32)).integers(0, 255, size=shape)
    labels = np.arange(n) % 10
    files = {"images": _idx(rng, images, code), "labels": _idx(rng, labels, rng.choice(list(_IDX)))}
    choice = rng.random()
    if choice < 0.3:
        pass
    elif choice < 0.55:
        key = rng.choice(["images", "labels"])
        files[key] = mutate(rng, files[key])
    elif choice < 0.65:  # NaN or infinity among float labels or pixels
        bad = np.array([0.0, rng.choice([np.nan, np.inf, -np.inf, 1e300])] * n)[:n]
        files["labels"] = _idx(rng, bad, rng.choice([0x0D, 0x0E]))
        if rng.random() < 0.5:
            files["images"] = _idx(rng, images + bad[:, None, None], 0x0E)
    elif choice < 0.75:  # a gzip bomb: a small honest header, then far more zeros than it declares
        files["images"] = gzip_bomb(idx_header(0x08, 10, 10, 10), rng.choice([10, 300, 2800]) * MB)
    elif choice < 0.85:  # declared sizes beyond the caps (1000 images of 1000×1000, 255 huge dims)
        dims = rng.choice([(1000, 1000, 1000), (2**32 - 1,) * rng.randint(2, 255), (1, 300_000), (60_000, 5000)])
        header = idx_header(rng.choice(list(_IDX)), *dims)
        files["images"] = gzip_bomb(header, rng.choice([0, 3]) * MB) if rng.random() < 0.5 else header + bytes(64)
    elif choice < 0.92:
        files["images"] = random_bytes(rng, rng.choice([b"", b"\x00\x00\x08\x03", b"\x1f\x8b"]))
    else:
        files["labels"], files["images"] = files["images"], files["labels"]
    if rng.random() < 0.2:
        del files["labels"]
    return files


# --- CSV -----------------------------------------------------------------------------------------------

_CELLS = ["1", "-2.5", "3e8", "1e999", "NA", "", "inf", "cat", "dog", '"a, b"', '"quoted ""x"""', "3,5",
          "\u00e9t\u00e9",
          "nan", "  7 ", "?", "-", "0x1F", "TRUE"]


def valid_csv(rng: random.Random) -> bytes:
    delimiter = rng.choice([",", ";", "\t"])
    width = rng.randint(1, 6)
    rows = [delimiter.join(f"col{i}" for i in range(width))]
    kinds = [rng.choice([_CELLS[:3], _CELLS[7:9]]) for _ in range(width)]  # a number or a category column
    for _ in range(rng.randint(0, 12)):
        rows.append(delimiter.join(rng.choice(kind) if rng.random() < 0.97 else rng.choice(_CELLS) for kind in kinds))
    return rng.choice(["\n", "\r\n"]).join(rows).encode()


def hostile_csv(rng: random.Random) -> bytes:
    kind = rng.randrange(8)
    if kind == 0:  # 5,000 distinct categories, one of them 100,000 characters
        cells = [f"cat{i}" for i in range(5000)]
        cells[rng.randrange(5000)] = "z" * 100_000
        return ("x,kind\n" + "".join(f"{i},{c}\n" for i, c in enumerate(cells))).encode()
    if kind == 1:  # control and unprintable characters, then junk
        odd = rng.choice(["\x07", "\x1b[2J", "\u2028", "\u202e", "\x85", "\u200b", "\ufffd"])
        junk = odd + "J" * rng.randint(1, 500)
        return f"a,b\n1,2\n3,{junk}\n".encode()
    if kind == 2:  # a header of too many columns
        width = rng.choice([250_001, 300_000])
        return (",".join(f"c{i}" for i in range(width)) + "\n" + "1," * (width - 1) + "1\n").encode()
    if kind == 3:  # rows × columns over the cap, written compactly as many short lines
        return ("," .join(f"c{i}" for i in range(2000)) + "\n" + "\n" * 120_000).encode()
    if kind == 4:  # long column names or a long quoted cell
        return (f'"{"n" * rng.choice([150, 5000])}",b\n1,2\n').encode() if rng.random() < 0.5 \
            else f'a,b\n1,"{"q" * 200_000}"\n'.encode()
    if kind == 5:  # many distinct short categories across many rows
        return ("a,b\n" + "".join(f"{i},k{i}\n" for i in range(rng.choice([100, 20_000])))).encode()
    if kind == 6:
        return bytes(rng.choice(b',;\t"\n\r 0123456789.-eNaif\xc3\xa9') for _ in range(rng.randint(0, 400)))
    return mutate(rng, valid_csv(rng))


def csv_input(rng: random.Random) -> dict[str, bytes]:
    choice = rng.random()
    if choice < 0.3:
        data = valid_csv(rng)
    elif choice < 0.6:
        data = mutate(rng, valid_csv(rng))
    elif choice < 0.9:
        data = hostile_csv(rng)
    else:
        data = random_bytes(rng)
    return {"data.csv": data}


GENERATORS = {"npz": npz_input, "idx": idx_input, "csv": csv_input}
