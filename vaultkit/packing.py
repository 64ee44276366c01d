"""Values as MessagePack that cannot run code when read: notes, and what follows from them.

msgspec encodes vaultkit's values (its structs) and decodes them straight back, type-checked:
a blob that is not what vaultkit wrote decodes to None, never to an object of another kind.
Front-matter values MessagePack does not carry as themselves (dates, sets, big integers)
travel as extension types; a path is its text, and decoding can take it to a path object
already made (`decoder_for`), so the notes of a vault share the paths discovery made.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import TypeVar, cast

import msgspec
from msgspec.structs import force_setattr, replace

from vaultkit.model import Note, Paths

T = TypeVar("T")

# Front-matter values MessagePack does not carry as themselves, as extension types.
_DATE, _DATETIME, _BYTES, _SET, _TUPLE, _BIG_INT = range(1, 7)
_INT64 = range(-(1 << 63), 1 << 64)


class _NotData(Exception):
    """A front-matter value of a type the cache does not keep."""


def encode(note: Note) -> bytes | None:
    """The note as MessagePack; None for a note the cache cannot keep (it is re-parsed)."""
    if type(note.frontmatter) is not MappingProxyType:  # tagged only as a read-only view
        note = replace(note, frontmatter=MappingProxyType(dict(note.frontmatter)))
    try:
        return _NOTE_ENCODER.encode(note)
    except (_NotData, RecursionError, TypeError, ValueError, OverflowError, UnicodeError):
        return None


def decode(blob: bytes, decoder: msgspec.msgpack.Decoder[Note] | None = None) -> Note | None:
    """The note in a row, or None when the row is not a note as vaultkit writes them."""
    decoder = decoder or _DECODER
    try:
        note = decoder.decode(blob)
    except (msgspec.DecodeError, _NotData, ValueError, TypeError, RecursionError):
        return None
    # Notes hold read-only mappings, as parsing makes them.
    force_setattr(note, "frontmatter", MappingProxyType(dict(note.frontmatter)))
    force_setattr(note, "property_lines", MappingProxyType(dict(note.property_lines)))
    for block in note.blocks.blocks:
        force_setattr(block, "params", MappingProxyType(dict(block.params)))
    return note


def _tag(value: object) -> object:
    kind = type(value)
    if kind in (str, bool, float) or value is None:
        return value
    if kind is int:
        return value if value in _INT64 else _ext(_BIG_INT, str(value).encode())
    if kind is list:
        return [_tag(item) for item in cast(list[object], value)]
    if isinstance(value, Mapping):
        return {_key(key): _tag(item) for key, item in value.items()}
    if kind is datetime.datetime:
        return _ext(_DATETIME, cast(datetime.datetime, value).isoformat().encode())
    if kind is datetime.date:
        return _ext(_DATE, cast(datetime.date, value).isoformat().encode())
    if kind is bytes:
        return _ext(_BYTES, cast(bytes, value))
    if kind in (set, tuple):
        items = [_tag(item) for item in cast(set[object], value)]
        return _ext(_SET if kind is set else _TUPLE, _ENCODER.encode(items))
    raise _NotData(kind.__name__)


def _key(key: object) -> str:
    if type(key) is not str:
        raise _NotData(type(key).__name__)
    return cast(str, key)


def _ext(code: int, data: bytes) -> msgspec.msgpack.Ext:
    return msgspec.msgpack.Ext(code, data)


def _untag(code: int, data: memoryview) -> object:
    raw = bytes(data)
    if code == _DATE:
        return datetime.date.fromisoformat(raw.decode())
    if code == _DATETIME:
        return datetime.datetime.fromisoformat(raw.decode())
    if code == _BYTES:
        return raw
    if code == _BIG_INT:
        return int(raw.decode())
    if code in (_SET, _TUPLE):
        items = msgspec.msgpack.decode(raw, ext_hook=_untag)
        if not isinstance(items, list):
            raise _NotData("not a list")
        return set(items) if code == _SET else tuple(items)
    raise _NotData(f"extension {code}")


def _enc_hook(value: object) -> object:
    if isinstance(value, PurePosixPath):
        return str(value)
    if isinstance(value, MappingProxyType):
        return dict(value)
    raise _NotData(type(value).__name__)


def _note_hook(value: object) -> object:
    """`_enc_hook`, a note's read-only mappings (front matter, property lines, block
    parameters) tagged (`_tag`) on the way."""
    if isinstance(value, MappingProxyType):
        return _tag(value)
    return _enc_hook(value)


def _dec_hook(
    kind: type, value: object, paths: Mapping[str, PurePosixPath] = MappingProxyType({})
) -> object:
    if kind is PurePosixPath and type(value) is str:
        return paths.get(value) or PurePosixPath(value)
    if kind is Paths and type(value) is list:
        found: list[PurePosixPath | None] = list(map(paths.get, value))
        if None in found:  # not all of them the vault's paths as they are
            if not all(type(text) is str for text in value):
                raise _NotData("paths that are not text")
            found = [paths.get(text) or PurePosixPath(text) for text in value]
        return Paths(cast(list[PurePosixPath], found))
    if kind is object:  # a front-matter value
        return value
    raise _NotData(f"{kind.__name__} from {type(value).__name__}")


def decoder_for(paths: Mapping[str, PurePosixPath]) -> msgspec.msgpack.Decoder[Note]:
    """A decoder that takes a path written as a key of `paths` to be that value: the notes
    of a vault then share the paths discovery made instead of parsing their own."""
    hook = functools.partial(_dec_hook, paths=paths)
    return msgspec.msgpack.Decoder(Note, dec_hook=hook, ext_hook=_untag)


_ENCODER = msgspec.msgpack.Encoder(enc_hook=_enc_hook)
_NOTE_ENCODER = msgspec.msgpack.Encoder(enc_hook=_note_hook)
_DECODER = msgspec.msgpack.Decoder(Note, dec_hook=_dec_hook, ext_hook=_untag)


def pack(value: object) -> bytes | None:
    """A value of vaultkit's own types as MessagePack; None when part of it cannot be."""
    try:
        return _ENCODER.encode(value)
    except (_NotData, RecursionError, TypeError, ValueError, OverflowError, UnicodeError):
        return None


def unpack(
    blob: bytes, kind: type[T], paths: Mapping[str, PurePosixPath] = MappingProxyType({})
) -> T | None:
    """The value `pack` wrote, checked to be a `kind`; None for anything else. A path
    written as a key of `paths` comes back as that value (as in `decoder_for`)."""
    hook = functools.partial(_dec_hook, paths=paths)
    try:
        return msgspec.msgpack.decode(blob, type=kind, dec_hook=hook, ext_hook=_untag)
    except (msgspec.DecodeError, _NotData, ValueError, TypeError, RecursionError):
        return None
