"""Numbers and messenger ids a text asks you to call or message, and senders' numbers, one key however written."""

from __future__ import annotations

import pytest

from weave_ml.model import numbers
from weave_ml.model.numbers import Contact, contacts, sender_number
from weave_ml.model.text import normalise


def found(text: str) -> list[tuple[str, str]]:
    return [(contact.key, contact.kind) for contact in contacts(normalise(text))]


@pytest.mark.parametrize(
    "written",
    [
        "010-1234-5678",
        "010 1234 5678",
        "010.1234.5678",
        "01012345678",
        "(010)1234-5678",
        "+82 10-1234-5678",
        "+82-10-1234-5678",
        "+821012345678",
        "+82 (0)10 1234 5678",
        "0082 10 1234 5678",
        "０１０－１２３４－５６７８",  # full width, as some phones write it
    ],
)
def test_every_way_of_writing_a_mobile_number_is_one_key(written):
    assert found(f"상담은 {written} 으로 연락주세요") == [("01012345678", numbers.MOBILE)]


@pytest.mark.parametrize(
    ("text", "key", "kind"),
    [
        ("문의 070-4321-8765", "07043218765", numbers.INTERNET_PHONE),
        ("안심번호 0505-123-4567 로 전화", "05051234567", numbers.INTERNET_PHONE),
        ("(02) 123-4567 로 연락 바랍니다", "021234567", numbers.LANDLINE),
        ("031-1234-5678", "03112345678", numbers.LANDLINE),
        ("고객센터(1588-1234)", "15881234", numbers.REPRESENTATIVE),
        ("고객센터 16001234", "16001234", numbers.REPRESENTATIVE),
        ("대출상담 문의010-9999-0000바로", "01099990000", numbers.MOBILE),
    ],
)
def test_call_back_numbers_of_every_kind_are_read(text, key, kind):
    assert found(text) == [(key, kind)]


def test_opt_out_lines_tracking_and_account_numbers_are_not_call_backs():
    assert found("(광고) 봄맞이 세일 무료거부 080-123-4567") == []
    assert found("운송장 1234-5678-9012 배송 출발") == []
    assert found("입금 계좌 110-123-456789 예금주 홍길동") == []
    assert found("결제 1,588,000원 승인 2026.12.01 15:88") == []
    assert found("1588-1234-5678") == []  # a longer run of digits is not a representative number


def test_messenger_ids_are_contacts_but_words_after_an_apps_name_are_not():
    assert found("카톡 abc123 으로 친추") == [("kakao:abc123", numbers.MESSENGER)]
    assert found("텔레그램 @xyz_1 로 연락") == [("telegram:xyz_1", numbers.MESSENGER)]
    assert found("카카오톡 아이디: kim_lee") == [("kakao:kim_lee", numbers.MESSENGER)]
    assert found("상담은 t.me/scam_boss 에서") == [("telegram:scam_boss", numbers.MESSENGER)]
    assert found("오픈채팅 open.kakao.com/o/sAbc123") == [("kakao-openchat:sabc123", numbers.MESSENGER)]
    assert found("kakao pay 결제 완료") == []  # a service's name, not an account
    assert found("온라인 abc123 쿠폰") == []  # "라인" inside a word names no messenger
    assert found("카톡으로 연락 주세요") == []


def test_each_contact_comes_once_in_the_order_written():
    text = "010-1111-2222 또는 카톡 ab_cd 그리고 +82 10 1111 2222"
    assert found(text) == [("01011112222", numbers.MOBILE), ("kakao:ab_cd", numbers.MESSENGER)]


@pytest.mark.parametrize(
    ("sender", "contact"),
    [
        ("010-1234-5678", Contact("01012345678", numbers.MOBILE)),
        ("+82 10 1234 5678", Contact("01012345678", numbers.MOBILE)),
        ("+82-10-1234-5678", Contact("01012345678", numbers.MOBILE)),
        ("1588-1234", Contact("15881234", numbers.REPRESENTATIVE)),
        ("#1004", Contact("1004", numbers.SHORT_CODE)),
        ("+1 555 123 4567", Contact("15551234567", numbers.INTERNATIONAL)),
        ("070 4321 8765", Contact("07043218765", numbers.INTERNET_PHONE)),
    ],
)
def test_a_senders_number_is_one_key_however_written(sender, contact):
    assert sender_number(sender) == contact


@pytest.mark.parametrize("sender", [None, "", "홍길동", "010-****-5678", "KB국민은행"])
def test_a_sender_without_a_readable_number_has_none(sender):
    assert sender_number(sender) is None
