"""Which format the parse cache keeps notes in: load speed of each candidate, beside pickle.

The parse cache must be data that cannot run code when read, so `pickle` is out; it is
timed as the baseline it replaces. Each candidate holds the same parsed notes of a
generated vault (`_vaultgen.py`) and is timed from an open file to a dict of `Note` values
equal to the ones parsed, the same process, alternately, several rounds, medians:

- `pickle`: one file holding every note (the format this replaces);
- `sqlite+json`: one row per note in SQLite, each note a JSON array (standard library)
  turned back into the model's structs by a decoder built from their type hints;
- `sqlite+msgspec-json`, `sqlite+msgpack`: one row per note, decoded by msgspec straight
  into the structs (front-matter values that JSON cannot carry, such as dates, as
  tagged strings or MessagePack extensions);
- `one blob msgpack`: every note in one MessagePack value in one row (no per-note update).

One row per note lets `watch` update one note without rewriting the file, and SQLite's
locking lets `watch` and a pre-commit run share it.

    python benchmarks/cache_formats.py                 # 10,000 notes, 5 rounds
    python benchmarks/cache_formats.py --notes 2000 --rounds 3
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import pickle
import sqlite3
import statistics
import sys
import tempfile
import time
import typing
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _vaultgen import generate

from vaultkit.config import Config
from vaultkit.model import Note
from vaultkit.vault import load_vault

Notes = dict[PurePosixPath, Note]

# --- stdlib JSON: structs as arrays, rebuilt from their type hints ----------------------


def _plain(value: object) -> object:
    if isinstance(value, msgspec.Struct):
        return [_plain(getattr(value, name)) for name in value.__struct_fields__]
    if isinstance(value, PurePosixPath):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    return value


def _decoder(hint: object) -> Callable[[Any], object]:
    origin = typing.get_origin(hint)
    if isinstance(hint, type) and issubclass(hint, msgspec.Struct):
        hints = typing.get_type_hints(hint)
        parts = [_decoder(hints[name]) for name in hint.__struct_fields__]
        return lambda row: hint(*[part(item) for part, item in zip(parts, row, strict=True)])
    if hint is PurePosixPath:
        return PurePosixPath
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    if origin is tuple:
        item = _decoder(typing.get_args(hint)[0])
        return lambda row: tuple(item(x) for x in row)
    if origin in (Mapping, dict):
        return lambda row: MappingProxyType({k: _untag(v) for k, v in row.items()})
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        inner = [_decoder(arg) for arg in typing.get_args(hint) if arg is not type(None)]
        return lambda row: None if row is None else inner[0](row)
    return lambda row: row


def _untag(value: object) -> object:
    if isinstance(value, dict):
        if value.keys() == {"$date"}:
            return datetime.date.fromisoformat(value["$date"])
        return {k: _untag(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untag(v) for v in value]
    return value


# --- msgspec: straight into the dataclasses ----------------------------------------------

DATE, DATETIME = 1, 2


def _enc_hook(value: object) -> object:
    if isinstance(value, PurePosixPath):
        return str(value)
    if isinstance(value, MappingProxyType):
        return dict(value)
    raise NotImplementedError(type(value))


def _dec_hook(kind: type, value: object) -> object:
    if kind is PurePosixPath:
        return PurePosixPath(typing.cast(str, value))
    if kind is object:
        return value
    raise NotImplementedError(kind)


def _ext_hook(code: int, data: memoryview) -> object:
    text = bytes(data).decode()
    return (
        datetime.date.fromisoformat(text) if code == DATE else datetime.datetime.fromisoformat(text)
    )


def _tag_msgpack(value: object) -> object:
    if isinstance(value, datetime.datetime):
        return msgspec.msgpack.Ext(DATETIME, value.isoformat().encode())
    if isinstance(value, datetime.date):
        return msgspec.msgpack.Ext(DATE, value.isoformat().encode())
    if isinstance(value, Mapping):
        return {k: _tag_msgpack(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_tag_msgpack(v) for v in value]
    return value


def _tagged(note: Note, tag: Callable[[object], object]) -> Note:
    return msgspec.structs.replace(note, frontmatter=typing.cast(Any, tag(note.frontmatter)))


def _fixed(note: Note, untag: Callable[[object], object] | None) -> Note:
    front = note.frontmatter if untag is None else untag(note.frontmatter)
    msgspec.structs.force_setattr(
        note, "frontmatter", MappingProxyType(typing.cast(dict[str, Any], front))
    )
    msgspec.structs.force_setattr(
        note, "property_lines", MappingProxyType(dict(note.property_lines))
    )
    return note


# --- the candidates ------------------------------------------------------------------------


def write_pickle(file: Path, notes: Notes) -> None:
    file.write_bytes(pickle.dumps(notes, protocol=pickle.HIGHEST_PROTOCOL))


def read_pickle(file: Path) -> Notes:
    gc.disable()
    try:
        return typing.cast(Notes, pickle.loads(file.read_bytes()))
    finally:
        gc.enable()


def _write_rows(file: Path, rows: list[tuple[str, bytes]]) -> None:
    with sqlite3.connect(file) as db:
        db.execute("CREATE TABLE notes (path TEXT PRIMARY KEY, note BLOB)")
        db.executemany("INSERT INTO notes VALUES (?, ?)", rows)
    db.close()


def _read_rows(file: Path) -> list[tuple[str, bytes]]:
    db = sqlite3.connect(file)
    try:
        return db.execute("SELECT path, note FROM notes").fetchall()
    finally:
        db.close()


def write_json(file: Path, notes: Notes) -> None:
    _write_rows(file, [(str(p), json.dumps(_plain(n)).encode()) for p, n in notes.items()])


_JSON_NOTE = _decoder(Note)


def read_json(file: Path) -> Notes:
    out = {}
    for path, blob in _read_rows(file):
        out[PurePosixPath(path)] = typing.cast(Note, _JSON_NOTE(json.loads(blob)))
    return out


_MSGPACK = msgspec.msgpack.Encoder(enc_hook=_enc_hook)
_MSGPACK_NOTE = msgspec.msgpack.Decoder(Note, dec_hook=_dec_hook, ext_hook=_ext_hook)


def write_msgpack(file: Path, notes: Notes) -> None:
    rows = [(str(p), _MSGPACK.encode(_tagged(n, _tag_msgpack))) for p, n in notes.items()]
    _write_rows(file, rows)


def read_msgpack(file: Path) -> Notes:
    gc.disable()
    try:
        return {
            PurePosixPath(path): _fixed(_MSGPACK_NOTE.decode(blob), None)
            for path, blob in _read_rows(file)
        }
    finally:
        gc.enable()


_MSGJSON = msgspec.json.Encoder(enc_hook=_enc_hook)
_MSGJSON_NOTE = msgspec.json.Decoder(Note, dec_hook=_dec_hook)


def write_msgspec_json(file: Path, notes: Notes) -> None:
    rows = [(str(p), _MSGJSON.encode(_tagged(n, _plain))) for p, n in notes.items()]
    _write_rows(file, rows)


def read_msgspec_json(file: Path) -> Notes:
    gc.disable()
    try:
        return {
            PurePosixPath(path): _fixed(_MSGJSON_NOTE.decode(blob), _untag)
            for path, blob in _read_rows(file)
        }
    finally:
        gc.enable()


_BLOB_NOTES = msgspec.msgpack.Decoder(list[Note], dec_hook=_dec_hook, ext_hook=_ext_hook)


def write_blob(file: Path, notes: Notes) -> None:
    blob = _MSGPACK.encode([_tagged(n, _tag_msgpack) for n in notes.values()])
    _write_rows(file, [("", blob)])


def read_blob(file: Path) -> Notes:
    gc.disable()
    try:
        [(_, blob)] = _read_rows(file)
        return {note.path: _fixed(note, None) for note in _BLOB_NOTES.decode(blob)}
    finally:
        gc.enable()


CANDIDATES: dict[str, tuple[Callable[[Path, Notes], None], Callable[[Path], Notes]]] = {
    "pickle": (write_pickle, read_pickle),
    "sqlite+json": (write_json, read_json),
    "sqlite+msgspec-json": (write_msgspec_json, read_msgspec_json),
    "sqlite+msgpack": (write_msgpack, read_msgpack),
    "one blob msgpack": (write_blob, read_blob),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "vault"
        generate(root, args.notes)
        notes = dict(load_vault(root, Config()).notes)
        files = {name: Path(folder) / name.replace(" ", "-") for name in CANDIDATES}
        for name, (write, read) in CANDIDATES.items():
            write(files[name], notes)
            if read(files[name]) != notes:
                raise SystemExit(f"{name}: the notes read back differ from the notes written")
        times: dict[str, list[float]] = {name: [] for name in CANDIDATES}
        for _ in range(args.rounds):
            for name, (_, read) in CANDIDATES.items():
                start = time.perf_counter()
                read(files[name])
                times[name].append(time.perf_counter() - start)
        base = statistics.median(times["pickle"])
        print(
            f"{args.notes} notes, {args.rounds} rounds: load time (median), ratio to pickle, size"
        )
        for name in CANDIDATES:
            median = statistics.median(times[name])
            size = files[name].stat().st_size / 1e6
            print(f"{name:20} {median:7.3f} s  {median / base:5.2f}x  {size:6.1f} MB")


if __name__ == "__main__":
    main()
