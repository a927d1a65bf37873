"""Lures of campaigns the bundled data does not hold, generated with their variable parts, for tests of learning."""

from __future__ import annotations

import random


def ev_refund_lures(seed: int, count: int) -> list[str]:
    """A lure campaign the bundled data does not hold: refunds of electric-vehicle charging fees."""
    rng = random.Random(seed)
    lures = []
    for _ in range(count):
        amount = rng.randrange(12, 98) * 1000 + rng.randrange(10) * 100
        host = f"ev-{rng.choice(['charge', 'refund', 'pay', 'care'])}{rng.randrange(10, 999)}"
        code = "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(6))
        lures.append(
            f"[전기차 충전] 과오납 충전요금 {amount:,}원 환급 대상입니다. 환급 신청 기한 {rng.randrange(2, 9)}일 "
            f"{host}.{rng.choice(['cfd', 'sbs', 'help', 'bond'])}/{code}"
        )
    return lures


def escrow_lures(seed: int, count: int) -> list[str]:
    """A lure the bundled data does not teach: a second-hand market's fake escrow payment."""
    rng = random.Random(seed)
    return [
        f"[당근] {rng.choice('김이박최')}*{rng.choice('민서지')}님 거래 상대가 안전결제 대금 "
        f"{rng.randrange(3, 90) * 1000:,}원을 입금했습니다 판매자 정산 인증 진행해 주세요 "
        f"고객센터 {rng.randrange(1000, 9999)}"
        for _ in range(count)
    ]
