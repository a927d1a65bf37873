"""Keyed hashes and sealed payloads (weave_ml.keys): what the broker and the cache hold tells nothing without the
deployment's secret."""

import hashlib

import pytest

from weave_ml.keys import SealError, Secrets
from weave_ml.model.text import hash_input
from weave_ml.settings import ConfigError, from_env

OLD = "an-older-secret-of-thirty-two-characters"
NEW = "the-newest-secret-of-thirty-two-characters"


def test_a_sealed_payload_opens_with_the_same_secrets_and_shows_nothing_of_its_data():
    secrets = Secrets([NEW])
    data = "택배 주소 확인 010-1234-5678".encode()
    sealed = secrets.seal(data)
    assert data not in sealed and b"010-1234-5678" not in sealed
    assert secrets.open(sealed) == data
    assert secrets.seal(data) != sealed  # a fresh nonce each time: equal payloads do not look equal


def test_a_rotation_keeps_what_the_older_secret_sealed_readable():
    before = Secrets([OLD]).seal(b"queued before the rotation")
    rotated = Secrets([NEW, OLD])
    assert rotated.open(before) == b"queued before the rotation"
    assert Secrets([NEW]).open(rotated.seal(b"after")) == b"after"  # sealed with the newest
    with pytest.raises(SealError, match="not in WEAVE_SECRET_KEYS"):
        Secrets([NEW]).open(before)  # once the old secret is dropped


def test_an_altered_or_foreign_payload_is_refused():
    secrets = Secrets([NEW])
    sealed = bytearray(secrets.seal(b"payload"))
    sealed[-1] ^= 1
    with pytest.raises(SealError, match="altered"):
        secrets.open(bytes(sealed))
    with pytest.raises(SealError, match="not a sealed payload"):
        secrets.open(b'{"plain": "json"}')


def test_message_hashes_are_keyed_and_stable():
    payload = hash_input("인증번호 [482913] 타인에게 알려주지 마세요", "010-1111-2222")
    keyed = Secrets([NEW]).message_hash(payload)
    assert keyed == Secrets([NEW, OLD]).message_hash(payload)  # the newest secret keys the hash
    assert keyed != Secrets([OLD]).message_hash(payload)
    assert keyed.startswith("sha256:") and len(keyed) == 7 + 64
    assert keyed[7:] != hashlib.sha256(payload).hexdigest()  # no longer undone by hashing every candidate code


def test_digests_differ_by_use():
    secrets = Secrets([NEW])
    assert secrets.digest("sender", "01012345678") != secrets.digest("number", "01012345678")
    assert secrets.digest("sender", "01012345678") == Secrets([NEW]).digest("sender", "01012345678")
    assert "01012345678" not in secrets.digest("sender", "01012345678")


def test_missing_or_short_secrets_are_refused_naming_the_variable():
    with pytest.raises(ConfigError, match="WEAVE_SECRET_KEYS is not set"):
        Secrets([])
    with pytest.raises(ConfigError, match="WEAVE_SECRET_KEYS"):
        from_env({"WEAVE_SECRET_KEYS": "short"})
    assert from_env({"WEAVE_SECRET_KEYS": f" {NEW} , {OLD} "}).secret_keys == (NEW, OLD)
