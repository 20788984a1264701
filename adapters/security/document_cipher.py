"""Streaming authenticated encryption of documents: AES-256-GCM per chunk (``cryptography``).

Format of an encrypted object::

    header  = b"ATDC" | version (1 byte, 1) | chunk size (4 bytes, big-endian) | prefix (8)
    chunk_i = AES-GCM(key, nonce = prefix | i (4 bytes, big-endian),
                      plaintext_i, aad = header | context | final_i)

Every chunk but the last holds exactly ``chunk size`` plaintext bytes; the last one (maybe
empty) has ``final = 1`` in its associated data. So a chunk altered, dropped, repeated or
moved fails its tag (its index is in the nonce), a stream cut after any chunk lacks the
final chunk, and bytes appended after it are refused; ``context`` (the document id) binds
the ciphertext to its document. The random 64-bit prefix makes each object's nonces
unique; a key encrypts at most 2^32 chunks per object (256 TiB: far above any document).

The key ring maps key ids to 32-byte keys; the first (newest) key encrypts, every key
decrypts. The key id is kept in the document's record, not in the object.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import struct
from collections.abc import AsyncIterable, AsyncIterator, Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from application.documents.ports import DocumentCipher
from domain.documents.errors import DocumentCorrupted
from domain.shared.errors import DependencyUnavailable

MAGIC = b"ATDC"
VERSION = 1
CHUNK_SIZE = 64 * 1024
TAG = 16
_HEADER = struct.Struct(">4sBI8s")
HEADER_SIZE = _HEADER.size
MAX_CHUNK_SIZE = 16 * 1024 * 1024
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def parse_key_ring(entries: Sequence[str]) -> tuple[dict[str, bytes], list[str]]:
    """``["id=<base64 of 32 bytes>", ...]`` (newest first) -> (keys in order, problems)."""
    keys: dict[str, bytes] = {}
    problems: list[str] = []
    for entry in entries:
        key_id, sep, material = entry.strip().partition("=")
        key_id = key_id.strip()
        if not sep or not KEY_ID.match(key_id):
            problems.append(
                "ATELIER_DOCUMENT_KEYS entries look like id=<base64 of 32 random bytes>, "
                "the id made of 1-32 letters, digits, '-' or '_'"
            )
            continue
        try:
            raw = decode_key(material)
        except ValueError as exc:
            problems.append(f"ATELIER_DOCUMENT_KEYS: key {key_id!r} {exc}")
            continue
        if key_id in keys:
            problems.append(f"ATELIER_DOCUMENT_KEYS: key id {key_id!r} appears twice")
            continue
        keys[key_id] = raw
    return keys, problems


def decode_key(material: str) -> bytes:
    text = material.strip()
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError):
        raise ValueError("is not base64") from None
    if len(raw) != 32:
        raise ValueError(f"must be 32 bytes (256 bits), not {len(raw)}")
    return raw


def generate_key() -> str:
    """A new key in the ``ATELIER_DOCUMENT_KEYS`` form's value part."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


class AesGcmDocumentCipher(DocumentCipher):
    def __init__(self, keys: Mapping[str, bytes], *, chunk_size: int = CHUNK_SIZE) -> None:
        if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError("chunk size out of range")
        for key_id, key in keys.items():
            if len(key) != 32 or not KEY_ID.match(key_id):
                raise ValueError(f"key {key_id!r} is not a 32-byte key with a valid id")
        self._keys = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._active = next(iter(keys), None)
        self._chunk_size = chunk_size

    @property
    def active_key_id(self) -> str:
        if self._active is None:
            raise DependencyUnavailable(
                "No document encryption key is configured (ATELIER_DOCUMENT_KEYS).",
                code="encryption_unavailable",
            )
        return self._active

    @property
    def key_ids(self) -> list[str]:
        return list(self._keys)

    def has_key(self, key_id: str) -> bool:
        return key_id in self._keys

    def encrypt(self, chunks: AsyncIterable[bytes], *, context: bytes) -> AsyncIterator[bytes]:
        key_id = self.active_key_id
        return self._encrypt(self._keys[key_id], chunks, context)

    async def _encrypt(
        self, aead: AESGCM, chunks: AsyncIterable[bytes], context: bytes
    ) -> AsyncIterator[bytes]:
        size = self._chunk_size
        header = _HEADER.pack(MAGIC, VERSION, size, os.urandom(8))
        prefix = header[-8:]
        yield header
        index = 0
        pending = bytearray()
        async for chunk in chunks:
            pending += chunk
            # keep at least one byte back: the last chunk is only known at the end
            while len(pending) > size:
                piece = bytes(pending[:size])
                del pending[:size]
                yield aead.encrypt(_nonce(prefix, index), piece, header + context + b"\x00")
                index += 1
        yield aead.encrypt(_nonce(prefix, index), bytes(pending), header + context + b"\x01")

    def decrypt(
        self, chunks: AsyncIterable[bytes], *, key_id: str, context: bytes
    ) -> AsyncIterator[bytes]:
        aead = self._keys.get(key_id)
        if aead is None:
            raise DependencyUnavailable(
                f"The document key {key_id!r} is not in ATELIER_DOCUMENT_KEYS.",
                code="document_key_missing",
            )
        return self._decrypt(aead, chunks, context)

    async def _decrypt(
        self, aead: AESGCM, chunks: AsyncIterable[bytes], context: bytes
    ) -> AsyncIterator[bytes]:
        buffer = bytearray()
        stream = chunks.__aiter__()
        ended = False

        async def fill(at_least: int) -> None:
            nonlocal ended
            while len(buffer) < at_least and not ended:
                chunk = await anext(stream, None)
                if chunk is None:
                    ended = True
                else:
                    buffer.extend(chunk)

        await fill(HEADER_SIZE)
        if len(buffer) < HEADER_SIZE:
            raise DocumentCorrupted("The stored document is truncated.")
        header = bytes(buffer[:HEADER_SIZE])
        del buffer[:HEADER_SIZE]
        magic, version, size, prefix = _HEADER.unpack(header)
        if magic != MAGIC or version != VERSION or not 1 <= size <= MAX_CHUNK_SIZE:
            raise DocumentCorrupted("The stored document is not in a known encrypted format.")
        sealed = size + TAG
        index = 0
        while True:
            # one byte more than a chunk tells whether this chunk is the last one
            await fill(sealed + 1)
            final = len(buffer) <= sealed
            piece = bytes(buffer[:sealed])
            del buffer[:sealed]
            if len(piece) < TAG:
                raise DocumentCorrupted("The stored document is truncated.")
            aad = header + context + (b"\x01" if final else b"\x00")
            try:
                plain = aead.decrypt(_nonce(prefix, index), piece, aad)
            except InvalidTag:
                raise DocumentCorrupted(
                    "The stored document does not authenticate (altered or truncated)."
                ) from None
            if plain:
                yield plain
            if final:
                return
            index += 1
            if index >= 1 << 32:
                raise DocumentCorrupted("The stored document has too many chunks.")


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + index.to_bytes(4, "big")
