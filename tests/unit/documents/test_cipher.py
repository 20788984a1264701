"""The streaming AEAD: any stream round-trips under any chunking; any alteration, cut,
extension, reordering or a foreign context is refused (Hypothesis)."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.security.document_cipher import (
    HEADER_SIZE,
    TAG,
    AesGcmDocumentCipher,
    decode_key,
    generate_key,
    parse_key_ring,
)
from domain.documents.errors import DocumentCorrupted
from domain.shared.errors import DependencyUnavailable

K1, K2 = os.urandom(32), os.urandom(32)
CONTEXT = b"document-1234567"
SMALL = 64  # tiny chunks, so short examples cross many chunk boundaries


async def _stream(pieces: Sequence[bytes]) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


def _split(data: bytes, cuts: Sequence[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


async def _collect(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in stream])


def encrypt(cipher: AesGcmDocumentCipher, data: bytes, cuts: Sequence[int] = ()) -> bytes:
    return asyncio.run(_collect(cipher.encrypt(_stream(_split(data, cuts)), context=CONTEXT)))


def decrypt(
    cipher: AesGcmDocumentCipher,
    sealed: bytes,
    cuts: Sequence[int] = (),
    *,
    key_id: str = "k1",
    context: bytes = CONTEXT,
) -> bytes:
    stream = cipher.decrypt(_stream(_split(sealed, cuts)), key_id=key_id, context=context)
    return asyncio.run(_collect(stream))


CIPHER = AesGcmDocumentCipher({"k1": K1}, chunk_size=SMALL)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(
    data=st.binary(max_size=1000),
    cuts=st.lists(st.integers(min_value=0), max_size=6),
    read_cuts=st.lists(st.integers(min_value=0), max_size=6),
)
def test_any_stream_round_trips_under_any_chunking(
    data: bytes, cuts: list[int], read_cuts: list[int]
) -> None:
    sealed = encrypt(CIPHER, data, cuts)
    chunks = max(1, -(-len(data) // SMALL))
    assert len(sealed) == HEADER_SIZE + len(data) + TAG * chunks
    assert decrypt(CIPHER, sealed, read_cuts) == data


@FAST
@given(
    data=st.binary(min_size=1, max_size=600), where=st.integers(min_value=0), bit=st.integers(0, 7)
)
def test_any_flipped_bit_is_refused(data: bytes, where: int, bit: int) -> None:
    sealed = bytearray(encrypt(CIPHER, data))
    sealed[where % len(sealed)] ^= 1 << bit
    with pytest.raises(DocumentCorrupted):
        decrypt(CIPHER, bytes(sealed))


@FAST
@given(data=st.binary(max_size=600), keep=st.integers(min_value=0))
def test_any_truncation_is_refused(data: bytes, keep: int) -> None:
    sealed = encrypt(CIPHER, data)
    cut = keep % len(sealed)  # strictly shorter
    with pytest.raises(DocumentCorrupted):
        decrypt(CIPHER, sealed[:cut])


@FAST
@given(data=st.binary(max_size=300), extra=st.binary(min_size=1, max_size=200))
def test_bytes_after_the_final_chunk_are_refused(data: bytes, extra: bytes) -> None:
    with pytest.raises(DocumentCorrupted):
        decrypt(CIPHER, encrypt(CIPHER, data) + extra)


def test_chunks_swapped_or_dropped_are_refused() -> None:
    data = os.urandom(SMALL * 4)
    sealed = encrypt(CIPHER, data)
    size = SMALL + TAG
    header, body = sealed[:HEADER_SIZE], sealed[HEADER_SIZE:]
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    assert len(chunks) == 4
    swapped = header + chunks[1] + chunks[0] + b"".join(chunks[2:])
    dropped = header + chunks[0] + b"".join(chunks[2:])
    last_dropped = header + b"".join(chunks[:3])
    for altered in (swapped, dropped, last_dropped):
        with pytest.raises(DocumentCorrupted):
            decrypt(CIPHER, altered)


def test_another_documents_ciphertext_does_not_decrypt_as_this_one() -> None:
    sealed = encrypt(CIPHER, b"invoice 42")
    with pytest.raises(DocumentCorrupted):
        decrypt(CIPHER, sealed, context=b"document-other00")


def test_the_ring_encrypts_with_its_first_key_and_decrypts_with_any() -> None:
    old = AesGcmDocumentCipher({"k1": K1}, chunk_size=SMALL)
    ring = AesGcmDocumentCipher({"k2": K2, "k1": K1}, chunk_size=SMALL)
    assert ring.active_key_id == "k2"
    data = os.urandom(500)
    assert decrypt(ring, encrypt(old, data), key_id="k1") == data
    fresh = encrypt(ring, data)
    assert decrypt(ring, fresh, key_id="k2") == data
    with pytest.raises(DocumentCorrupted):
        decrypt(ring, fresh, key_id="k1")  # the wrong key: refused, never garbage
    with pytest.raises(DependencyUnavailable):
        decrypt(old, fresh, key_id="k2")  # a key the ring lacks


def test_two_encryptions_of_the_same_bytes_differ() -> None:
    data = b"same bytes" * 10
    assert encrypt(CIPHER, data) != encrypt(CIPHER, data)


def test_an_empty_ring_cannot_encrypt() -> None:
    with pytest.raises(DependencyUnavailable):
        _ = AesGcmDocumentCipher({}).active_key_id


def test_key_ring_parsing() -> None:
    key = generate_key()
    assert len(decode_key(key)) == 32
    keys, problems = parse_key_ring([f"new={key}", f"old={generate_key()}="])
    assert list(keys) == ["new", "old"]
    assert problems == []
    _, problems = parse_key_ring(["noequals", "x=abc", f"a b={key}", f"d={key}", f"d={key}"])
    assert len(problems) == 4
