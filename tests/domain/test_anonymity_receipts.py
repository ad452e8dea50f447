import os
import stat
import string
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.domain.anonymity import (
    AnonymityError,
    AnonymityErrorCode,
    load_or_create_secret,
    new_response_id,
    receipt,
    response_day,
)

SECRET = b"s" * 32
secrets_ = st.binary(min_size=16, max_size=64)
people = st.integers(min_value=1, max_value=2**63)
instances = st.text(min_size=1, max_size=40)


def test_receipt_is_sha256_hex():
    value = receipt(SECRET, 42, "survey:7/session:3")
    assert len(value) == 64
    assert set(value) <= set(string.hexdigits.lower())


@given(secret=secrets_, person=people, instance=instances)
@settings(max_examples=50, deadline=None)
def test_receipt_is_deterministic(secret, person, instance):
    assert receipt(secret, person, instance) == receipt(secret, person, instance)


@given(secret=secrets_, person=people, first=instances, second=instances)
@settings(max_examples=50, deadline=None)
def test_receipt_differs_across_instances(secret, person, first, second):
    assume(first != second)
    assert receipt(secret, person, first) != receipt(secret, person, second)


@given(first=secrets_, second=secrets_, person=people, instance=instances)
@settings(max_examples=50, deadline=None)
def test_receipt_differs_across_secrets(first, second, person, instance):
    assume(first != second)
    assert receipt(first, person, instance) != receipt(second, person, instance)


@given(secret=secrets_, first=people, second=people, instance=instances)
@settings(max_examples=50, deadline=None)
def test_receipt_differs_across_people(secret, first, second, instance):
    assume(first != second)
    assert receipt(secret, first, instance) != receipt(secret, second, instance)


def test_receipt_fields_cannot_run_into_each_other():
    assert receipt(SECRET, 1, "2:x") != receipt(SECRET, 12, ":x")


def test_receipt_rejects_a_short_secret_and_an_empty_instance():
    with pytest.raises(AnonymityError) as caught:
        receipt(b"short", 1, "x")
    assert caught.value.code == AnonymityErrorCode.SECRET_TOO_SHORT
    assert caught.value.params == {"length": 5, "minimum": 16}
    with pytest.raises(AnonymityError) as caught:
        receipt(SECRET, 1, "")
    assert caught.value.code == AnonymityErrorCode.EMPTY_INSTANCE_KEY


def test_response_ids_are_random_unique_and_unordered():
    ids = [new_response_id() for _ in range(500)]
    assert all(len(value) == 32 and set(value) <= set(string.hexdigits.lower()) for value in ids)
    assert len(set(ids)) == 500
    assert ids != sorted(ids)  # creation order cannot be read back from the ids
    first_digits = {value[0] for value in ids}
    assert len(first_digits) == 16  # 500 draws cover every leading hex digit of a random id


def test_response_day_is_the_utc_day():
    yerevan = timezone(timedelta(hours=4))
    assert response_day(datetime(2026, 3, 10, 2, 30, tzinfo=yerevan)) == date(2026, 3, 9)
    assert response_day(datetime(2026, 3, 10, 23, 59, 59, tzinfo=UTC)) == date(2026, 3, 10)


def test_response_day_refuses_a_naive_time():
    with pytest.raises(ValueError, match="aware"):
        response_day(datetime(2026, 3, 10, 12, 0))


def test_secret_from_the_environment_wins_and_writes_nothing(tmp_path):
    path = tmp_path / "secret"
    secret, created = load_or_create_secret("  a-long-deployment-secret-value  ", path)
    assert (secret, created) == (b"a-long-deployment-secret-value", False)
    assert not path.exists()


def test_short_environment_secret_is_refused(tmp_path):
    with pytest.raises(AnonymityError) as caught:
        load_or_create_secret("tooshort", tmp_path / "secret")
    assert caught.value.code == AnonymityErrorCode.SECRET_TOO_SHORT


@pytest.mark.parametrize("env_value", [None, "", "   "])
def test_secret_is_generated_once_into_a_private_file(tmp_path, env_value):
    path = tmp_path / "state" / "secret"
    secret, created = load_or_create_secret(env_value, path)
    assert created is True
    assert len(secret) == 64 and set(secret.decode()) <= set(string.hexdigits.lower())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_bytes() == secret
    again, created_again = load_or_create_secret(env_value, path)
    assert (again, created_again) == (secret, False)
    assert [entry.name for entry in path.parent.iterdir()] == ["secret"]  # no temporary left


def test_an_existing_secret_file_is_kept(tmp_path):
    path = tmp_path / "secret"
    path.write_bytes(b"f" * 64 + b"\n")
    assert load_or_create_secret(None, path) == (b"f" * 64, False)
    assert path.read_bytes() == b"f" * 64 + b"\n"


def test_an_unusable_secret_file_is_an_error(tmp_path):
    path = tmp_path / "secret"
    path.write_bytes(b"abc\n")
    with pytest.raises(AnonymityError) as caught:
        load_or_create_secret(None, path)
    assert caught.value.code == AnonymityErrorCode.SECRET_FILE_INVALID
    assert caught.value.params == {"path": str(path)}
