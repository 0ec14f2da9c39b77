"""A tiny Apache Parquet writer for the Step Functions ItemReader tests (no pyarrow here).

It writes flat schemas (REQUIRED or OPTIONAL columns) with the Thrift compact protocol, one
data page per column chunk (v1 or v2), optionally a PLAIN dictionary page, and pages
UNCOMPRESSED, GZIP, SNAPPY (a literal-only Snappy stream) or ZSTD (a frame of raw blocks), the
last two valid streams every decoder accepts.
Column: (name, physical type, values, options) where options may hold "optional",
"dictionary", "converted" (ConvertedType), "string" (STRING logical type)."""

import gzip
import struct

BOOLEAN, INT32, INT64, INT96, FLOAT, DOUBLE, BYTE_ARRAY = 0, 1, 2, 3, 4, 5, 6
UNCOMPRESSED, SNAPPY, GZIP, ZSTD = 0, 1, 2, 6


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(n):
    return varint((n << 1) ^ (n >> 63))


class Struct:
    """A Thrift compact-protocol struct, fields written in increasing id order."""

    def __init__(self):
        self.out, self.last = bytearray(), 0

    def field(self, fid, ctype, payload=b""):
        delta = fid - self.last
        self.out += bytes([(delta << 4) | ctype]) if 0 < delta <= 15 else bytes([ctype]) + zigzag(fid)
        self.out += payload
        self.last = fid
        return self

    def i32(self, fid, v):
        return self.field(fid, 5, zigzag(v))

    def i64(self, fid, v):
        return self.field(fid, 6, zigzag(v))

    def binary(self, fid, b):
        return self.field(fid, 8, varint(len(b)) + b)

    def boolean(self, fid, v):
        return self.field(fid, 1 if v else 2)

    def struct(self, fid, s):
        return self.field(fid, 12, s.bytes())

    def list(self, fid, etype, elements):
        n = len(elements)
        head = bytes([(n << 4) | etype]) if n < 15 else bytes([0xF0 | etype]) + varint(n)
        return self.field(fid, 9, head + b"".join(elements))

    def bytes(self):
        return bytes(self.out) + b"\x00"


def plain(ptype, values):
    if ptype == BOOLEAN:
        out = bytearray((len(values) + 7) // 8)
        for i, v in enumerate(values):
            out[i // 8] |= int(bool(v)) << (i % 8)
        return bytes(out)
    fmt = {INT32: "<i", INT64: "<q", FLOAT: "<f", DOUBLE: "<d"}.get(ptype)
    if fmt:
        return b"".join(struct.pack(fmt, v) for v in values)
    out = b""
    for v in values:
        b = v.encode() if isinstance(v, str) else v
        out += struct.pack("<I", len(b)) + b
    return out


def def_levels(values):
    """Definition levels (bit width 1) as bit-packed runs of 8."""
    groups = (len(values) + 7) // 8
    packed = plain(BOOLEAN, [v is not None for v in values])
    return varint((groups << 1) | 1) + packed.ljust(groups, b"\x00")


def compress(codec, data):
    if codec == GZIP:
        return gzip.compress(data)
    if codec == SNAPPY:
        out = varint(len(data))
        for i in range(0, len(data), 65536):
            chunk = data[i:i + 65536]
            out += bytes([61 << 2]) + struct.pack("<H", len(chunk) - 1) + chunk
        return out
    if codec == ZSTD:
        # Single-segment frame with a 4-byte content size, then raw blocks of up to 128 KiB.
        out = struct.pack("<IB", 0xFD2FB528, 0xA0) + struct.pack("<I", len(data))
        blocks = [data[i:i + 131072] for i in range(0, len(data), 131072)] or [b""]
        for n, block in enumerate(blocks):
            last = n == len(blocks) - 1
            out += struct.pack("<I", (len(block) << 3) | int(last))[:3] + block
        return out
    return data


def write(columns, codec=UNCOMPRESSED, v2=False, row_groups=1):
    """Parquet file bytes: `columns` split evenly into `row_groups` row groups."""
    nrows = len(columns[0][2])
    body = bytearray(b"PAR1")
    groups = []
    per = (nrows + row_groups - 1) // row_groups
    for start in range(0, nrows, per):
        chunks = []
        for name, ptype, values, opts in columns:
            values = values[start:start + per]
            present = [v for v in values if v is not None]
            chunk_start = len(body)
            dict_offset = None
            encoding = 0
            if opts.get("dictionary"):
                distinct = list(dict.fromkeys(present))
                page = plain(ptype, distinct)
                comp = compress(codec, page)
                header = Struct().i32(1, 2).i32(2, len(page)).i32(3, len(comp)).struct(
                    7, Struct().i32(1, len(distinct)).i32(2, 0))
                dict_offset = len(body)
                body += header.bytes() + comp
                encoded = bytes([8])
                for v in present:
                    encoded += varint(1 << 1) + bytes([distinct.index(v)])
                encoding = 8
            else:
                encoded = plain(ptype, present)
            levels = def_levels(values) if opts.get("optional") else b""
            data_offset = len(body)
            if v2:
                comp = compress(codec, encoded)
                header = Struct().i32(1, 3).i32(2, len(levels) + len(encoded)).i32(
                    3, len(levels) + len(comp)).struct(8, Struct().i32(1, len(values)).i32(
                        2, len(values) - len(present)).i32(3, len(values)).i32(4, encoding).i32(
                        5, len(levels)).i32(6, 0).boolean(7, codec != UNCOMPRESSED))
                body += header.bytes() + levels + comp
            else:
                page = (struct.pack("<I", len(levels)) + levels if levels else b"") + encoded
                comp = compress(codec, page)
                header = Struct().i32(1, 0).i32(2, len(page)).i32(3, len(comp)).struct(
                    5, Struct().i32(1, len(values)).i32(2, encoding).i32(3, 3).i32(4, 3))
                body += header.bytes() + comp
            meta = Struct().i32(1, ptype).list(2, 5, [zigzag(0), zigzag(3)]).list(
                3, 8, [varint(len(name)) + name.encode()]).i32(4, codec).i64(5, len(values)).i64(
                6, len(body) - chunk_start).i64(7, len(body) - chunk_start).i64(9, data_offset)
            if dict_offset is not None:
                meta.i64(11, dict_offset)
            chunks.append(Struct().i64(2, chunk_start).struct(3, meta).bytes())
        groups.append(Struct().list(1, 12, chunks).i64(2, 0).i64(3, len(columns[0][2][start:start + per])).bytes())
    schema = [Struct().binary(4, b"schema").i32(5, len(columns)).bytes()]
    for name, ptype, values, opts in columns:
        e = Struct().i32(1, ptype).i32(3, 1 if opts.get("optional") else 0).binary(4, name.encode())
        if opts.get("children"):
            e.i32(5, opts["children"])
        if "converted" in opts:
            e.i32(6, opts["converted"])
        if opts.get("string"):
            e.struct(10, Struct().struct(1, Struct()))
        schema.append(e.bytes())
    footer = Struct().i32(1, 1).list(2, 12, schema).i64(3, nrows).list(4, 12, groups).bytes()
    return bytes(body) + footer + struct.pack("<I", len(footer)) + b"PAR1"
