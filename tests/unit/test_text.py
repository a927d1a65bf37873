import pytest

from weave_ml.model.text import SenderKind, mask_phone, message_hash, normalise, sender_kind


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  택배가   보관중입니다  ", "택배가 보관중입니다"),
        ("Ｗｅｂ발신 ＡＢＣ", "web발신 abc"),  # full-width folded by NFKC, then casefolded
        ("링\u200b크\u200d클릭\ufeff", "링크클릭"),  # zero-width characters removed
        ("\u202e역방향\u202c 텍스트", "역방향 텍스트"),  # bidi controls removed
        ("줄\n바꿈\t탭\x00널", "줄 바꿈 탭 널"),  # control characters become one space
        ("", ""),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_normalise_is_idempotent():
    text = "  [Web발신]\n\u200bＣＪ대한통운  주소지 불일치 "
    assert normalise(normalise(text)) == normalise(text)


@pytest.mark.parametrize(
    ("sender", "kind"),
    [
        ("010-1234-5678", SenderKind.MOBILE),
        ("01098765432", SenderKind.MOBILE),
        ("+82 10-1234-5678", SenderKind.MOBILE),
        ("02-123-4567", SenderKind.LANDLINE),
        ("031-765-4321", SenderKind.LANDLINE),
        ("+82-2-123-4567", SenderKind.LANDLINE),
        ("070-1234-5678", SenderKind.INTERNET_PHONE),
        ("+63 917 123 4567", SenderKind.INTERNATIONAL),
        ("+1 202 555 0143", SenderKind.INTERNATIONAL),
        ("00863456789012", SenderKind.INTERNATIONAL),
        ("1588-1234", SenderKind.SHORT_CODE),
        ("1644-0000", SenderKind.SHORT_CODE),
        ("#1004", SenderKind.SHORT_CODE),
        ("080-123-4567", SenderKind.SHORT_CODE),
        ("010-****-1234", SenderKind.UNKNOWN),
        ("국민은행", SenderKind.UNKNOWN),
        ("", SenderKind.UNKNOWN),
        (None, SenderKind.UNKNOWN),
        ("12", SenderKind.UNKNOWN),
    ],
)
def test_sender_kind(sender, kind):
    assert sender_kind(sender) is kind


def test_message_hash_depends_on_normalised_text_and_sender_kind_only():
    base = message_hash("택배 주소 확인 바랍니다", "010-1111-2222")
    assert base.startswith("sha256:") and len(base) == 7 + 64
    assert message_hash("  택배  주소 확인\u200b 바랍니다", "010-3333-4444") == base
    assert message_hash("택배 주소 확인 바랍니다", "02-123-4567") != base
    assert message_hash("택배 주소 확인 바랍니다!", "010-1111-2222") != base


def test_message_hash_never_contains_the_text():
    assert "택배" not in message_hash("택배")


@pytest.mark.parametrize(
    ("sender", "masked"),
    [("010-1234-5678", "***-****-5678"), ("+82 10 1234 5678", "+** ** **** 5678"), (None, None), ("1234", "1234")],
)
def test_mask_phone_keeps_only_last_four_digits(sender, masked):
    assert mask_phone(sender) == masked
