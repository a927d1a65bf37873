import pytest
from hypothesis import given
from hypothesis import strategies as st

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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("건*강*검*진 결과 확인", "건강검진 결과 확인"),  # a separator between every syllable
        ("홍*동 고객님", "홍*동 고객님"),  # a name masked as notices mask it stays masked
        ("대-출 가능", "대출 가능"),
        ("신.규 고객 한.정", "신규 고객 한정"),
        ("대 출 가 능 합 니 다", "대출가능합니다"),  # spaced out, three syllables or more
        ("ㅋㅏ카오톡 인증", "카카오톡 인증"),  # decomposed jamo composed back
        ("kаkаo-pay.cоm", "kakao-pay.com"),  # Cyrillic а and о drawn like Latin ones
        ("ΚΑΚΑΟ", "kakao"),
        # Ordinary writing stays as it is.
        ("이 책 좋아", "이 책 좋아"),
        ("서울-부산 고속도로", "서울-부산 고속도로"),
        ("1.5만원 입금", "1.5만원 입금"),
        ("했다.그리고 갔다", "했다.그리고 갔다"),
        ("건강 * 검진", "건강 * 검진"),
    ],
)
def test_normalise_sees_through_obfuscation(raw, expected):
    assert normalise(raw) == expected


HANGUL_WORDS = st.text(alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=2, max_size=6)
LURE_WORDS = st.lists(HANGUL_WORDS, min_size=1, max_size=6)
LATIN = "abcdeiopkmhtxy"
CYRILLIC_TWINS = dict(zip(LATIN, "аbсdеіорkmhtху", strict=True))  # a Cyrillic letter where one exists


@given(words=LURE_WORDS, host=st.text(alphabet=LATIN, min_size=3, max_size=10), data=st.data())
def test_an_obfuscated_lure_normalises_to_the_clean_lure(words, host, data):
    clean = " ".join(words) + f" http://{host}.com"
    separator = data.draw(st.sampled_from(".-_·~|/"))  # "*" joins only from three syllables ("홍*동" is a name)
    obfuscated_words = [
        separator.join(word) if data.draw(st.booleans()) else word for word in words
    ]  # whole words spelled out
    twin_host = "".join(CYRILLIC_TWINS[ch] if data.draw(st.booleans()) else ch for ch in host)
    invisible = data.draw(st.sampled_from(["", "\u200b", "\u200d", "\u2060", "\ufeff"]))
    obfuscated = invisible.join(" ".join(obfuscated_words)) + f" http://{twin_host}.com"
    if data.draw(st.booleans()):
        obfuscated = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in obfuscated)  # full width
    assert normalise(obfuscated) == normalise(clean)


def test_a_text_read_again_gets_the_same_form_and_only_short_texts_are_remembered():
    from weave_ml.model import text as text_module

    short = "［ＣＪ대한통운］ 택 배 주소 확인 \u200bhttp://cj-ex.top"
    first, again = normalise(short), normalise(short)
    assert first == again == text_module._normalise(short)
    remembered = text_module._remembered.cache_info()
    assert remembered.maxsize == text_module.REMEMBERED and remembered.hits >= 1
    long = "스미싱 " * (text_module.REMEMBERED_CHARS // 4 + 1)
    before = text_module._remembered.cache_info()
    assert normalise(long) == text_module._normalise(long)
    after = text_module._remembered.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses)  # never looked up, never kept
