"""A minimal Mapbox Vector Tile (protobuf) reader, enough for the parity checks.

Counts features per layer and decodes their geometry into tile coordinates, so a tile can be
split into features inside the tile square and features present only in the buffer.
"""

from dataclasses import dataclass, field

POINT, LINESTRING, POLYGON = 1, 2, 3


@dataclass
class Feature:
    id: int | None
    type: int
    parts: list[list[tuple[int, int]]]  # points: one part per point; lines/polygons: rings


@dataclass
class Layer:
    name: str = ""
    extent: int = 4096
    keys: list[str] = field(default_factory=list)
    features: list[Feature] = field(default_factory=list)


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def _fields(buf: bytes):
    """(field number, value) pairs; value is an int (varint) or bytes (length-delimited)."""
    i, n = 0, len(buf)
    while i < n:
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 2:
            length, i = _varint(buf, i)
            value, i = buf[i:i + length], i + length
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, value


def _packed(buf: bytes) -> list[int]:
    values, i = [], 0
    while i < len(buf):
        value, i = _varint(buf, i)
        values.append(value)
    return values


def _zigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def _geometry(kind: int, commands: list[int]) -> list[list[tuple[int, int]]]:
    parts: list[list[tuple[int, int]]] = []
    x = y = 0
    i = 0
    current: list[tuple[int, int]] = []
    while i < len(commands):
        command, count = commands[i] & 7, commands[i] >> 3
        i += 1
        if command == 7:  # ClosePath
            if current:
                current.append(current[0])
            continue
        for _ in range(count):
            x += _zigzag(commands[i])
            y += _zigzag(commands[i + 1])
            i += 2
            if command == 1:  # MoveTo starts a new point / line / ring
                if kind == POINT:
                    parts.append([(x, y)])
                else:
                    current = [(x, y)]
                    parts.append(current)
            else:
                current.append((x, y))
    return parts


def decode(data: bytes) -> list[Layer]:
    layers = []
    for number, value in _fields(data):
        if number != 3:
            continue
        layer = Layer()
        for lnum, lvalue in _fields(value):
            if lnum == 1:
                layer.name = bytes(lvalue).decode()
            elif lnum == 5:
                layer.extent = lvalue
            elif lnum == 3:
                layer.keys.append(bytes(lvalue).decode())
            elif lnum == 2:
                fid, kind, commands = None, 0, []
                for fnum, fvalue in _fields(lvalue):
                    if fnum == 1:
                        fid = fvalue
                    elif fnum == 3:
                        kind = fvalue
                    elif fnum == 4:
                        commands = _packed(fvalue)
                layer.features.append(Feature(fid, kind, _geometry(kind, commands)))
        layers.append(layer)
    return layers


def _ring_area(ring: list[tuple[int, int]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def inside_tile(feature: Feature, extent: int) -> bool:
    """Whether the feature reaches the tile square itself, not only its buffer.

    Points: any point within [0, extent]. Lines and polygons: any part intersecting the square
    (polygons: exterior rings, which have positive area in tile coordinates).
    """
    if feature.type == POINT:
        return any(0 <= x <= extent and 0 <= y <= extent for (x, y), in feature.parts)
    import shapely

    square = shapely.box(0, 0, extent, extent)
    for part in feature.parts:
        if len(part) < 2:
            continue
        if feature.type == POLYGON:
            if len(part) < 4 or _ring_area(part) <= 0:
                continue
            geometry = shapely.Polygon(part)
            if not geometry.is_valid:
                geometry = shapely.make_valid(geometry)
        else:
            geometry = shapely.LineString(part)
        if geometry.intersects(square):
            return True
    return False


def summarize(data: bytes) -> dict:
    """Feature count (all, and inside the tile square) and bytes of a tile."""
    total = core = 0
    names = []
    for layer in decode(data):
        names.append(layer.name)
        total += len(layer.features)
        core += sum(1 for f in layer.features if inside_tile(f, layer.extent))
    return {"bytes": len(data), "features": total, "features_in_tile": core, "layers": names}
