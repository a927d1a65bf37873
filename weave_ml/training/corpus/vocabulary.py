"""Word lists and slot builders (brands, people, money, dates, links, numbers) for the seed corpus."""

from __future__ import annotations

import datetime
import random
import string
from collections.abc import Callable, Sequence
from typing import TypeVar

# Per-message scratch space: slots that belong together (a brand and its own web site) read what an
# earlier slot in the same message chose, so "CJ대한통운" is never followed by hanjin.com.
Context = dict[str, object]
SlotBuilder = Callable[[random.Random, Context], str]

T = TypeVar("T")

# Dates are drawn from one fixed year so weekdays are right and the corpus never depends on today.
_YEAR = 2024

COURIERS: tuple[tuple[str, str], ...] = (
    ("CJ대한통운", "www.cjlogistics.com"),
    ("우체국택배", "service.epost.go.kr"),
    ("한진택배", "www.hanjin.com"),
    ("롯데택배", "www.lotteglogis.com"),
    ("로젠택배", "www.ilogen.com"),
    ("쿠팡", "www.coupang.com"),
    ("경동택배", "kdexp.com"),
)
BANKS: tuple[tuple[str, str], ...] = (
    ("KB국민은행", "www.kbstar.com"),
    ("신한은행", "www.shinhan.com"),
    ("우리은행", "www.wooribank.com"),
    ("하나은행", "www.kebhana.com"),
    ("NH농협은행", "banking.nonghyup.com"),
    ("IBK기업은행", "www.ibk.co.kr"),
    ("카카오뱅크", "www.kakaobank.com"),
    ("토스뱅크", "www.tossbank.com"),
    ("케이뱅크", "www.kbanknow.com"),
    ("새마을금고", "www.kfcc.co.kr"),
)
# Short forms banks put in their own push/SMS headers ("[KB]", "신한") rather than the full name.
BANK_SHORT: tuple[str, ...] = (
    "KB",
    "신한",
    "우리",
    "하나",
    "농협",
    "기업",
    "카카오뱅크",
    "토스뱅크",
    "케이뱅크",
    "MG",
)
CARDS: tuple[tuple[str, str], ...] = (
    ("삼성카드", "www.samsungcard.com"),
    ("현대카드", "www.hyundaicard.com"),
    ("신한카드", "www.shinhancard.com"),
    ("KB국민카드", "card.kbcard.com"),
    ("롯데카드", "www.lottecard.co.kr"),
    ("BC카드", "www.bccard.com"),
    ("하나카드", "www.hanacard.co.kr"),
    ("우리카드", "pc.wooricard.com"),
    ("NH농협카드", "card.nonghyup.com"),
)
MEMBERSHIPS: tuple[str, ...] = ("CJ ONE", "L.POINT", "OK캐쉬백", "해피포인트", "신세계포인트", "H.Point", "GS&POINT")
AIRLINES: tuple[str, ...] = ("대한항공", "아시아나항공", "스카이패스")
PAY_APPS: tuple[str, ...] = ("카카오페이", "토스", "네이버페이", "카카오뱅크", "토스뱅크", "페이코")
# Toss IDs people share for 송금 (toss.me/<id>): romanised names, as they really pick them.
NICK_ROMAN: tuple[str, ...] = ("minjun", "seoyeon", "jihun", "subin", "hyunwoo", "daeun", "jimin95", "yujin", "sh0412")
EXCHANGES: tuple[str, ...] = ("업비트", "빗썸", "코인원", "코빗")
PLATFORMS: tuple[str, ...] = ("네이버", "카카오", "카카오톡", "구글", "애플", "토스", "페이코", "네이버페이")
SECURITIES: tuple[str, ...] = ("키움증권", "미래에셋증권", "삼성증권", "NH투자증권", "한국투자증권", "KB증권")
TELECOMS: tuple[str, ...] = ("SKT", "KT", "LG U+", "SK텔레콤", "KT알뜰폰", "헬로모바일")
INSURERS: tuple[str, ...] = ("삼성화재", "현대해상", "DB손해보험", "KB손해보험", "삼성생명", "한화생명")

PROSECUTORS: tuple[str, ...] = (
    "서울중앙지방검찰청",
    "서울중앙지검",
    "대검찰청",
    "서울남부지검",
    "수원지방검찰청",
    "인천지방검찰청",
)
POLICE: tuple[str, ...] = (
    "경찰청",
    "서울경찰청 사이버수사대",
    "경찰청 사이버안전국",
    "서울지방경찰청 금융범죄수사대",
)
REGULATORS: tuple[str, ...] = ("금융감독원", "금융위원회", "금감원 불법금융대응단")
COURTS: tuple[str, ...] = (
    "서울중앙지방법원",
    "대법원 전자소송",
    "법원",
    "서울동부지방법원",
    "수원지방법원",
    "전자소송센터",
)
TRAFFIC: tuple[str, ...] = ("경찰청교통민원24", "도로교통공단", "이파인", "경찰청", "교통민원24")
TAX: tuple[str, ...] = ("국세청", "홈택스", "국세청 홈택스", "정부24", "행정안전부")
HEALTH: tuple[str, ...] = ("국민건강보험공단", "국민건강보험", "건강보험공단", "건보공단")
PENSION: tuple[str, ...] = ("국민연금공단", "국민연금", "NPS국민연금")

SURNAMES: tuple[str, ...] = (
    "김",
    "이",
    "박",
    "최",
    "정",
    "강",
    "조",
    "윤",
    "장",
    "임",
    "한",
    "오",
    "서",
    "신",
    "권",
    "황",
    "안",
    "송",
    "류",
    "홍",
)
GIVEN_NAMES: tuple[str, ...] = (
    "민준",
    "서준",
    "도윤",
    "예준",
    "시우",
    "하준",
    "지호",
    "주원",
    "지훈",
    "현우",
    "서연",
    "서윤",
    "지우",
    "하은",
    "민서",
    "지민",
    "수아",
    "지유",
    "채원",
    "윤서",
    "영희",
    "철수",
    "미경",
    "정숙",
    "상훈",
    "은정",
    "성민",
    "혜진",
    "동현",
    "유진",
    "경민",
    "수빈",
    "재원",
    "다은",
    "승현",
    "나연",
)
# Short names as friends write them in chat ("민준아", "지유야").
NICKNAMES: tuple[str, ...] = (
    "민준",
    "서연",
    "지훈",
    "수빈",
    "현우",
    "다은",
    "지민",
    "유진",
    "승현",
    "나연",
    "재원",
    "혜진",
)

PRODUCTS: tuple[str, ...] = (
    "에어팟 프로",
    "갤럭시 버즈",
    "다이슨 에어랩",
    "아이패드",
    "갤럭시 워치",
    "닌텐도 스위치",
    "스타벅스 텀블러",
    "LG 스탠바이미",
    "홍삼 선물세트",
    "한우 선물세트",
    "공기청정기",
    "로봇청소기",
    "전기밥솥",
    "캠핑의자",
    "겨울 패딩",
    "운동화",
    "유아용 카시트",
    "커피머신",
    "블루투스 스피커",
    "아이폰 15",
)
SHOPS: tuple[str, ...] = (
    "올리브영",
    "이마트",
    "홈플러스",
    "롯데마트",
    "무신사",
    "11번가",
    "G마켓",
    "옥션",
    "다이소",
    "교보문고",
    "GS25",
    "CU",
    "세븐일레븐",
    "스타벅스",
    "배달의민족",
    "요기요",
    "마켓컬리",
    "SSG닷컴",
    "하이마트",
    "메가커피",
    "투썸플레이스",
    "이디야커피",
    "파리바게뜨",
    "뚜레쥬르",
    "쿠팡이츠",
    "맘스터치",
    "버거킹",
    "아트박스",
)
OVERSEAS_MERCHANTS: tuple[str, ...] = (
    "AMAZON",
    "ALIEXPRESS",
    "APPLE.COM/BILL",
    "EBAY",
    "NIKE.COM",
    "AGODA",
    "해외직구몰",
    "TEMU",
    "BOOKING.COM",
    "GOOGLE*PLAY",
    "UNIQLO JP",
    "STEAM",
)
# Recurring charges people genuinely see on card statements and automatic-transfer notices.
SUBSCRIPTIONS: tuple[str, ...] = (
    "NETFLIX.COM",
    "YOUTUBE PREMIUM",
    "SPOTIFY",
    "쿠팡와우",
    "네이버플러스",
    "디즈니플러스",
    "티빙",
    "멜론",
)
BILLS: tuple[str, ...] = (
    "통신요금",
    "관리비",
    "보험료",
    "도시가스요금",
    "전기요금",
    "학원비",
    "카드대금",
    "적금",
    "월세",
)
HOSPITALS: tuple[str, ...] = (
    "연세튼튼내과",
    "서울밝은안과",
    "미소치과",
    "바른정형외과",
    "우리아이소아과",
    "강남세브란스병원",
    "365열린의원",
    "하늘이비인후과",
    "새봄한의원",
    "참좋은피부과",
)
SALONS: tuple[str, ...] = (
    "준오헤어",
    "박승철헤어스투디오",
    "헤어살롱 봄",
    "리안헤어",
    "차홍룸",
    "네일 라운지",
)
RESTAURANTS: tuple[str, ...] = (
    "진진",
    "을지면옥",
    "봉피양",
    "스시 하루",
    "마포갈매기",
    "온지음",
    "화해당",
    "브라운 브레드",
)
PLACES: tuple[str, ...] = (
    "강남역",
    "홍대입구역",
    "잠실역",
    "서울역",
    "신촌",
    "판교역",
    "수원역",
    "부산 서면",
    "대전역",
    "건대입구역",
    "합정역",
    "광화문",
    "종로3가",
    "왕십리역",
)
WEDDING_HALLS: tuple[str, ...] = (
    "더채플앳청담",
    "라움아트센터",
    "루벨 웨딩홀",
    "더베뉴지 서울",
    "아펠가모 광화문",
    "그랜드 워커힐 서울",
    "엘리에나호텔",
    "빌라드지디 수서",
    "노블발렌티 삼성",
    "더컨벤션 잠실",
)
FUNERAL_HALLS: tuple[str, ...] = (
    "서울아산병원 장례식장",
    "삼성서울병원 장례식장",
    "세브란스병원 장례식장",
    "서울대학교병원 장례식장",
    "고려대 안암병원 장례식장",
    "분당서울대병원 장례식장",
)
SCHOOLS: tuple[str, ...] = (
    "서울숲초등학교",
    "한빛초등학교",
    "새솔중학교",
    "한가람고등학교",
    "푸른숲유치원",
    "대성중학교",
)
APARTMENTS: tuple[str, ...] = (
    "래미안",
    "힐스테이트",
    "자이",
    "e편한세상",
    "푸르지오",
    "아이파크",
    "롯데캐슬",
    "더샵",
)
CITIES: tuple[str, ...] = (
    "서울특별시",
    "부산광역시",
    "인천광역시",
    "수원시",
    "성남시",
    "대전광역시",
    "광주광역시",
    "고양시",
    "용인시",
    "마포구",
    "강남구",
    "송파구",
    "청주시",
    "전주시",
)
TEAMS: tuple[str, ...] = ("개발팀", "영업2팀", "인사팀", "마케팅팀", "재무팀", "기획실", "디자인팀", "CS팀")
ACADEMIES: tuple[str, ...] = (
    "정상어학원",
    "해법수학",
    "청담어학원",
    "대치수학학원",
    "푸른피아노",
    "태권도장",
    "눈높이수학",
)
PLATE_LETTERS: tuple[str, ...] = (
    "가",
    "나",
    "다",
    "라",
    "마",
    "거",
    "너",
    "더",
    "러",
    "머",
    "고",
    "노",
    "도",
    "로",
    "허",
)
COMPANIES: tuple[str, ...] = (
    "(주)위브",
    "(주)한빛소프트",
    "대성물산",
    "(주)미래테크",
    "서울상사",
    "(주)그린푸드",
)
SECONDHAND: tuple[str, ...] = ("당근마켓", "번개장터", "중고나라", "당근")
GIFT_CARDS: tuple[str, ...] = (
    "문화상품권",
    "구글기프트카드",
    "컬쳐랜드 상품권",
    "해피머니 상품권",
    "편의점 기프트카드",
)
COINS: tuple[str, ...] = ("비트코인", "이더리움", "리플", "솔라나", "도지코인", "신규 상장 코인")
STOCKS: tuple[str, ...] = (
    "에코프로",
    "삼성전자",
    "셀트리온",
    "한미반도체",
    "포스코퓨처엠",
    "알테오젠",
    "HLB",
    "두산에너빌리티",
)
APPS: tuple[str, ...] = (
    "보안카드",
    "경찰청 사이버캅",
    "금융보안",
    "모바일 백신",
    "택배조회",
    "청첩장",
    "정부24",
    "건강검진결과",
)
EMOJI_ANY: tuple[str, ...] = ("😊", "👍", "🙏", "❤️", "😂", "ㅎㅎ", "^^", "😅", "🥲", "✨")
EMOJI_PROMO: tuple[str, ...] = ("🎁", "📦", "💰", "🎉", "🔥", "✅", "⚠️", "📢", "💳", "🔔", "★", "▶", "☞")

SHORTENERS: tuple[str, ...] = (
    "bit.ly",
    "han.gl",
    "me2.do",
    "vo.la",
    "url.kr",
    "t.ly",
    "tinyurl.com",
    "buly.kr",
    "zrr.kr",
    "c11.kr",
    "is.gd",
    "cutt.ly",
    "t.co",
    "rb.gy",
    "gg.gg",
    "tny.im",
    "abit.ly",
    "qrco.de",
)
# Look-alike hosts: brand fragments on cheap TLDs, extra hyphens, or a real domain buried as a subdomain.
FAKE_DOMAINS: dict[str, tuple[str, ...]] = {
    "parcel": (
        "cj-logis.co",
        "cjlogistics-kr.com",
        "epost-kr.top",
        "epost.go-kr.cc",
        "hanjin-delivery.xyz",
        "lotte-glogis.site",
        "ilogen-kr.info",
        "kr-post.vip",
        "delivery-kr.shop",
        "coupang-deliv.com",
        "cjdelivery.kr-address.net",
        "parcel-kr.top",
    ),
    "customs": ("unipass-kr.com", "customs-kr.top", "kcs-unipass.xyz", "kr-customs.site", "unipass.go-kr.cc"),
    "health": ("nhis-or.kr.xyz", "nhis-kr.top", "nhis.or-kr.cc", "nhis-refund.com", "hi-nhis.site"),
    "pension": ("nps-or.kr.xyz", "nps-kr.top", "nps.or-kr.cc", "npsrefund.site"),
    "gov": (
        "gov24-kr.com",
        "gov-kr.top",
        "hometax-refund.com",
        "hometax.go-kr.cc",
        "wetax-kr.xyz",
        "gov24.kr-support.net",
        "minwon-gov.site",
        "efine-kr.com",
        "efine.go-kr.cc",
        "police-kr.top",
        "scourt-kr.com",
        "ecfs-scourt.xyz",
        "spo-go.kr.site",
        "fss-kr.com",
    ),
    "bank": (
        "kbstar-safe.com",
        "kbstar.kr-secure.net",
        "shinhan-bank.top",
        "woori-safe.xyz",
        "hana-secure.site",
        "nhbank-kr.com",
        "kakaobank-safe.com",
        "toss-secure.top",
        "ibk-kr.info",
        "kfcc-safe.site",
    ),
    "card": (
        "samsungcard-kr.com",
        "hyundaicard-safe.xyz",
        "shinhancard-kr.top",
        "kbcard-cancel.com",
        "lottecard-kr.site",
        "bccard-safe.info",
        "card-cancel.kr-pay.net",
    ),
    "exchange": (
        "upbit-kr.com",
        "upbit.safe-login.top",
        "bithumb-kr.xyz",
        "bithumb-secure.site",
        "coinone-kr.info",
    ),
    "account": (
        "naver-security.xyz",
        "nid-naver.kr-login.com",
        "kakao-protect.top",
        "accounts-kakao.site",
        "apple-id-kr.com",
        "google-verify.kr-help.net",
    ),
    "invite": (
        "m-card.kr-invite.com",
        "wedding-card.top",
        "mcard-invite.xyz",
        "bugo-notice.site",
        "our-wedding.shop",
        "invite-card.info",
        "dol-party.top",
    ),
    "prize": (
        "event-kr.top",
        "gift-point.xyz",
        "ok-cashbag.kr-point.com",
        "lpoint-event.site",
        "coupon-kr.shop",
        "lucky-event.info",
        "starbucks-kr.top",
    ),
    "pay": (
        "naverpay-safe.shop",
        "safe-pay.kr-trade.com",
        "bunjang-safe.xyz",
        "daangn-pay.top",
        "joongna-safe.site",
        "escrow-kr.info",
    ),
    "loan": ("loan-kr.top", "sunshine-loan.xyz", "gov-loan.site", "kinfa-kr.com", "lowrate-kr.info"),
    "invest": ("vip-stock.top", "coin-profit.xyz", "leading-room.site", "kr-stock.shop", "ai-trading.info"),
    "job": ("job-kr.top", "part-time.xyz", "review-job.site", "homework-kr.shop"),
    "telecom": ("skt-cancel.com", "kt-pay.top", "uplus-cancel.xyz", "mobile-pay.kr-help.net"),
}
# Look-alike hosts are also built from parts, because fixed lists teach the model a dozen hostnames rather than
# the pattern: a brand or topic stem, a filler word, and whichever cheap TLD was not yet blocked that month.
THEME_STEMS: dict[str, tuple[str, ...]] = {
    "parcel": ("cj", "epost", "kpost", "hanjin", "lotte", "logen", "coupang", "dlv", "parcel", "tb", "post"),
    "customs": ("unipass", "customs", "kcs", "ems", "ipass"),
    "health": ("nhis", "hi-nhis", "nhic", "health", "gumjin"),
    "pension": ("nps", "pension", "npsrefund"),
    "gov": (
        "gov",
        "gov24",
        "hometax",
        "efine",
        "police",
        "minwon",
        "wetax",
        "scourt",
        "ecfs",
        "spo",
        "fine",
    ),
    "bank": ("kbstar", "shinhan", "woori", "hana", "nhbank", "ibk", "kakaobank", "toss", "kbank", "kfcc"),
    "card": ("samsungcard", "hyundaicard", "shinhancard", "kbcard", "lottecard", "bccard", "hanacard", "card"),
    "exchange": ("upbit", "bithumb", "coinone", "korbit"),
    "account": ("naver", "nid", "kakao", "apple", "google", "icloud", "toss"),
    "invite": ("mcard", "wedding", "invite", "bugo", "dol", "our-day", "card"),
    "prize": ("event", "gift", "point", "lpoint", "okcashbag", "coupon", "lucky", "mileage"),
    "pay": ("naverpay", "npay", "safe-pay", "bunjang", "daangn", "joongna", "escrow"),
    "loan": ("loan", "sunshine", "kinfa", "lowrate", "daechul"),
    "invest": ("vip-stock", "leading", "coin", "ai-trade", "stock", "signal"),
    "job": ("job", "alba", "parttime", "review", "homework"),
    "telecom": ("skt", "tworld", "kt", "uplus", "usim", "mobile"),
}
_STEM_WORDS: tuple[str, ...] = (
    "kr",
    "safe",
    "check",
    "info",
    "help",
    "my",
    "m",
    "center",
    "service",
    "notice",
    "verify",
    "refund",
    "pay",
    "cancel",
    "track",
    "ship",
    "go",
    "web",
    "app",
    "online",
    "secure",
    "view",
    "cs",
    "24",
)
SCAM_TLDS: tuple[str, ...] = (
    "top",
    "xyz",
    "shop",
    "site",
    "live",
    "help",
    "me",
    "cc",
    "info",
    "sbs",
    "cfd",
    "cyou",
    "lol",
    "pw",
    "bond",
    "vip",
    "icu",
    "club",
    "online",
    "com",
    "net",
    "co",
    "cn",
    "lat",
    # Cheap generic TLDs of 2024-2025 campaigns.
    "buzz",
    "fun",
    "bar",
    "today",
    "rest",
    "monster",
)
# Real hosts for ham that carries links: genuine notices do link out, so a link alone must not mean fraud.
REAL_DOMAINS: tuple[str, ...] = (
    "www.oliveyoung.co.kr",
    "m.coupang.com",
    "www.emart.com",
    "www.gmarket.co.kr",
    "www.musinsa.com",
    "www.11st.co.kr",
    "www.kurly.com",
    "www.ssg.com",
    "m.shinsegae.com",
    "www.daiso.co.kr",
)
INVITE_REAL_DOMAINS: tuple[str, ...] = (
    "m.barunsoncard.com",
    "mcard.bojagicard.com",
    "www.theirmood.com",
    "m.wedding.kr",
)
BOOKING_LINKS: tuple[str, ...] = (
    "https://m.booking.naver.com/my/bookings/",
    "https://app.catchtable.co.kr/ct/rsv/",
    "https://www.tabling.co.kr/r/",
    "https://kakaot.link/",
)
# Friends and colleagues share short links too (YouTube, Naver's own naver.me, map pins): a short link
# is not fraud by itself.
SHARED_LINK_HOSTS: tuple[str, ...] = (
    "https://youtu.be/",
    "https://naver.me/",
    "https://kko.to/",
    "https://m.blog.naver.com/",
    "https://www.instagram.com/p/",
    "https://map.naver.com/p/entry/place/",
)
MEETING_LINKS: tuple[str, ...] = (
    "https://zoom.us/j/",
    "https://meet.google.com/lookup/",
    "https://teams.live.com/meet/",
)
GOV_REAL_DOMAINS: tuple[str, ...] = (
    "www.gov.kr",
    "www.hometax.go.kr",
    "www.nhis.or.kr",
    "www.nps.or.kr",
    "www.nec.go.kr",
)


_SHORT_CODES = ("#1004", "#7979", "#1133", "#0505", "1588", "1577", "1599", "114")
_KAKAO_STEMS = ("money", "job", "vip", "bigwin", "stock", "coin", "rich", "daily", "side", "win", "lucky")
_TELEGRAM_STEMS = ("jobking", "sidejob", "vipstock", "coinmaster", "alba", "manager", "teamleader", "profit")


def pick(rng: random.Random, items: Sequence[T]) -> T:
    """Choose one item; the Sequence type keeps callers away from sets, whose order is not stable."""
    return items[rng.randrange(len(items))]


def _paired(key: str, table: tuple[tuple[str, str], ...], part: int) -> SlotBuilder:
    def build(rng: random.Random, ctx: Context) -> str:
        if key not in ctx:
            ctx[key] = rng.randrange(len(table))
        index = ctx[key]
        assert isinstance(index, int)
        return table[index][part]

    return build


def _token(rng: random.Random, length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(alphabet[rng.randrange(len(alphabet))] for _ in range(length))


def _digits(rng: random.Random, length: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(length))


# --- links ---------------------------------------------------------------------------------------------


def _scheme(rng: random.Random) -> str:
    # Real smishing drops the scheme about as often as it keeps it, to dodge naive link filters.
    return pick(rng, ("http://", "https://", "", "http://", "https://"))


def short_url(rng: random.Random) -> str:
    """A shortened link such as han.gl/aB3xK."""
    return f"{_scheme(rng)}{pick(rng, SHORTENERS)}/{_token(rng, rng.randint(4, 7))}"


def fake_host(rng: random.Random, theme: str) -> str:
    """A look-alike host for one theme: from the fixed list, or built from a stem, a filler word and a cheap TLD."""
    roll = rng.random()
    if roll < 0.4:
        return pick(rng, FAKE_DOMAINS[theme])
    stem, word, tld = pick(rng, THEME_STEMS[theme]), pick(rng, _STEM_WORDS), pick(rng, SCAM_TLDS)
    if roll < 0.75:
        return f"{stem}{pick(rng, ('-', '', '-', '.'))}{word}.{tld}"
    if roll < 0.88:
        # A genuine suffix buried in front of the registered part: epost.go.kr-check.me
        return f"{stem}.{pick(rng, ('go', 'or', 'co'))}.kr-{word}.{tld}"
    return f"{stem}.{tld}"


def fake_url(rng: random.Random, theme: str) -> str:
    """A look-alike domain link for one theme (parcel, bank, gov, ...)."""
    host = fake_host(rng, theme)
    path = pick(rng, ("", "/", "/m", "/login", "/kr", "/check", "/?id=", "/index.html", "/a/"))
    if path.endswith(("=", "/a/")):
        path += _token(rng, rng.randint(4, 8))
    return f"{_scheme(rng)}{host}{path}"


def scam_url(rng: random.Random, theme: str) -> str:
    """Either a shortened link or a look-alike domain, as scammers use both."""
    return short_url(rng) if rng.random() < 0.5 else fake_url(rng, theme)


def apk_url(rng: random.Random) -> str:
    """A direct download link for a malicious Android package."""
    host = pick(rng, SHORTENERS) if rng.random() < 0.4 else fake_host(rng, pick(rng, ("gov", "invite", "parcel")))
    name = pick(rng, ("security", "police", "delivery", "invite", "gov24", "nhis", "app", "card", "safe"))
    return f"{_scheme(rng)}{host}/{name}{pick(rng, ('', '_v2', '-kr', str(rng.randint(1, 9))))}.apk"


def real_url(rng: random.Random, host: str) -> str:
    """A link on a genuine host."""
    path = pick(rng, ("", "/event", "/m/event/" + _digits(rng, 5), "/app", "/notice", "/sale"))
    return f"https://{host}{path}"


# --- phone numbers and IDs ------------------------------------------------------------------------------


def mobile_number(rng: random.Random, dashed: bool | None = None) -> str:
    """A 010 mobile number, dashed or plain."""
    middle, last = _digits(rng, 4), _digits(rng, 4)
    if dashed is None:
        dashed = rng.random() < 0.6
    return f"010-{middle}-{last}" if dashed else f"010{middle}{last}"


def masked_mobile(rng: random.Random) -> str:
    """A mobile number with its middle hidden, as services print them (010-****-1234)."""
    return f"010-****-{_digits(rng, 4)}"


def landline_number(rng: random.Random) -> str:
    """A geographic landline such as 02-123-4567 or 031-1234-5678."""
    area = pick(rng, ("02", "02", "02", "031", "032", "051", "053", "042", "062", "033", "064"))
    return f"{area}-{_digits(rng, rng.choice((3, 4))).lstrip('0').rjust(3, '1')}-{_digits(rng, 4)}"


def internet_number(rng: random.Random) -> str:
    """A 070 internet-phone number, cheap to obtain and common in scams and small shops alike."""
    return f"070-{_digits(rng, 4)}-{_digits(rng, 4)}"


def representative_number(rng: random.Random) -> str:
    """A nationwide representative number (1588-1234, 1644-...)."""
    prefix = pick(rng, ("1588", "1577", "1566", "1544", "1600", "1644", "1661", "1670", "1899", "1522"))
    return f"{prefix}-{_digits(rng, 4)}" if rng.random() < 0.85 else f"{prefix}{_digits(rng, 4)}"


def toll_free_number(rng: random.Random) -> str:
    """An 080 toll-free number, the legal opt-out line on Korean ads."""
    return f"080-{_digits(rng, 3)}-{_digits(rng, 4)}"


def short_code(rng: random.Random) -> str:
    """A short sender code such as #1004 or 1588."""
    return pick(rng, (*_SHORT_CODES, f"#{_digits(rng, 4)}"))


def international_number(rng: random.Random) -> str:
    """A foreign number of the kinds that carry [국외발신] smishing (+63 917 ..., +1 ...)."""
    country = pick(rng, ("+63", "+63", "+1", "+86", "+84", "+66", "+81", "+852", "+44", "+60"))
    if country == "+63":
        return f"+63 9{_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 4)}"
    if country == "+1":
        return f"+1 {rng.randint(201, 989)} {_digits(rng, 3)} {_digits(rng, 4)}"
    if country == "+86":
        return f"+86 1{_digits(rng, 2)} {_digits(rng, 4)} {_digits(rng, 4)}"
    return f"{country} {_digits(rng, rng.choice((2, 3)))} {_digits(rng, 3)} {_digits(rng, 4)}"


def kakao_id(rng: random.Random) -> str:
    """A KakaoTalk ID as written in job and investment ads."""
    stem = pick(rng, _KAKAO_STEMS)
    return f"{stem}{pick(rng, ('', '_', 'kr'))}{rng.randint(1, 9999)}"


def telegram_id(rng: random.Random) -> str:
    """A Telegram handle such as @jobking_kr."""
    stem = pick(rng, _TELEGRAM_STEMS)
    tail = pick(rng, ("_kr", "", "77", "_01", "7", "_vip"))
    return f"@{stem}{tail}{pick(rng, ('', str(rng.randint(1, 99))))}"


def open_chat(rng: random.Random) -> str:
    """A KakaoTalk open-chat room link."""
    return f"{pick(rng, ('https://', ''))}open.kakao.com/o/{pick(rng, ('g', 's'))}{_token(rng, 7)}"


# --- money, dates, identifiers --------------------------------------------------------------------------


def won(value: int) -> str:
    """Format a won amount with thousands separators (987,000)."""
    return f"{value:,}"


def _amount(low: int, high: int, step: int) -> SlotBuilder:
    def build(rng: random.Random, ctx: Context) -> str:
        return won(rng.randrange(low, high, step))

    return build


def _refund(rng: random.Random, ctx: Context) -> str:
    # Refund lures quote odd exact sums (182,340원) because round numbers look made up.
    return won(rng.randrange(30_000, 900_000, 10))


def _date(rng: random.Random, ctx: Context) -> str:
    day = datetime.date(_YEAR, 1, 1) + datetime.timedelta(days=rng.randrange(366))
    weekday = "월화수목금토일"[day.weekday()]
    style = rng.randrange(4)
    if style == 0:
        return f"{day.month}/{day.day}"
    if style == 1:
        return f"{day.month}월 {day.day}일"
    if style == 2:
        return f"{day.month}월 {day.day}일({weekday})"
    return f"{day.month:02d}.{day.day:02d}({weekday})"


def _clock(rng: random.Random, ctx: Context) -> str:
    return f"{rng.randrange(24):02d}:{rng.randrange(60):02d}"


def _hour(rng: random.Random, ctx: Context) -> str:
    hour = rng.randint(9, 20)
    minute = pick(rng, ("", "", " 30분", "반"))
    if rng.random() < 0.5:
        return f"{'오전' if hour < 12 else '오후'} {hour if hour <= 12 else hour - 12}시{minute}"
    return f"{hour}:{'30' if minute else '00'}"


def _full_name(rng: random.Random, ctx: Context) -> str:
    if "name" not in ctx:
        ctx["name"] = pick(rng, SURNAMES) + pick(rng, GIVEN_NAMES)
    return str(ctx["name"])


def _other_name(rng: random.Random, ctx: Context) -> str:
    return pick(rng, SURNAMES) + pick(rng, GIVEN_NAMES)


def _usd(rng: random.Random, ctx: Context) -> str:
    return f"{rng.randint(1, 199)}.{rng.randrange(100):02d}"


def _masked_name(rng: random.Random, ctx: Context) -> str:
    name = _full_name(rng, ctx)
    return name[0] + "*" + name[2:] if len(name) > 2 else name[0] + "*"


def _waybill(rng: random.Random, ctx: Context) -> str:
    if rng.random() < 0.5:
        return f"{_digits(rng, 4)}-{_digits(rng, 4)}-{_digits(rng, 4)}"
    return _digits(rng, rng.choice((10, 12, 13)))


def _account(rng: random.Random, ctx: Context) -> str:
    return pick(
        rng,
        (
            f"{_digits(rng, 3)}-***-{_digits(rng, 6)}",
            f"{_digits(rng, 6)}**{_digits(rng, 3)}",
            f"***{_digits(rng, 4)}",
            f"{_digits(rng, 3)}-****-{_digits(rng, 4)}",
        ),
    )


def _case_number(rng: random.Random, ctx: Context) -> str:
    kind = pick(rng, ("형제", "가단", "가소", "차", "고단", "형"))
    return f"{_YEAR}{kind}{rng.randint(1000, 99999)}"


def _otp(rng: random.Random, ctx: Context) -> str:
    return _digits(rng, rng.choice((4, 6, 6, 6, 6, 8)))


def _card_tail(rng: random.Random, ctx: Context) -> str:
    return _digits(rng, 4)


SLOTS: dict[str, SlotBuilder] = {
    "courier": _paired("courier", COURIERS, 0),
    "courier_site": _paired("courier", COURIERS, 1),
    "bank": _paired("bank", BANKS, 0),
    "bank_site": _paired("bank", BANKS, 1),
    "card": _paired("card", CARDS, 0),
    "card_site": _paired("card", CARDS, 1),
    "bank_short": lambda rng, ctx: pick(rng, BANK_SHORT),
    "exchange": lambda rng, ctx: pick(rng, EXCHANGES),
    "platform": lambda rng, ctx: pick(rng, PLATFORMS),
    "securities": lambda rng, ctx: pick(rng, SECURITIES),
    "telecom": lambda rng, ctx: pick(rng, TELECOMS),
    "insurer": lambda rng, ctx: pick(rng, INSURERS),
    "membership": lambda rng, ctx: pick(rng, MEMBERSHIPS),
    "pay_app": lambda rng, ctx: pick(rng, PAY_APPS),
    "nick_roman": lambda rng, ctx: pick(rng, NICK_ROMAN),
    "airline": lambda rng, ctx: pick(rng, AIRLINES),
    "prosecutor": lambda rng, ctx: pick(rng, PROSECUTORS),
    "police": lambda rng, ctx: pick(rng, POLICE),
    "regulator": lambda rng, ctx: pick(rng, REGULATORS),
    "court": lambda rng, ctx: pick(rng, COURTS),
    "traffic": lambda rng, ctx: pick(rng, TRAFFIC),
    "tax": lambda rng, ctx: pick(rng, TAX),
    "health": lambda rng, ctx: pick(rng, HEALTH),
    "pension": lambda rng, ctx: pick(rng, PENSION),
    "name": _full_name,
    "masked_name": _masked_name,
    "other_name": _other_name,
    "usd": _usd,
    "usd_big": lambda rng, ctx: f"{rng.randint(200, 1999):,}.{rng.randrange(100):02d}",
    "month": lambda rng, ctx: f"{rng.randint(1, 12)}월",
    "year": lambda rng, ctx: str(pick(rng, ("2023", "2024", "2025"))),
    "city": lambda rng, ctx: pick(rng, CITIES),
    "team": lambda rng, ctx: pick(rng, TEAMS),
    "academy": lambda rng, ctx: pick(rng, ACADEMIES),
    "surname": lambda rng, ctx: pick(rng, SURNAMES),
    "nick": lambda rng, ctx: pick(rng, NICKNAMES),
    "product": lambda rng, ctx: pick(rng, PRODUCTS),
    "shop": lambda rng, ctx: pick(rng, SHOPS),
    "merchant": lambda rng, ctx: pick(rng, OVERSEAS_MERCHANTS),
    "subscription": lambda rng, ctx: pick(rng, SUBSCRIPTIONS),
    "bill": lambda rng, ctx: pick(rng, BILLS),
    "hospital": lambda rng, ctx: pick(rng, HOSPITALS),
    "salon": lambda rng, ctx: pick(rng, SALONS),
    "restaurant": lambda rng, ctx: pick(rng, RESTAURANTS),
    "place": lambda rng, ctx: pick(rng, PLACES),
    "wedding_hall": lambda rng, ctx: pick(rng, WEDDING_HALLS),
    "funeral_hall": lambda rng, ctx: pick(rng, FUNERAL_HALLS),
    "school": lambda rng, ctx: pick(rng, SCHOOLS),
    "apartment": lambda rng, ctx: pick(rng, APARTMENTS),
    "company": lambda rng, ctx: pick(rng, COMPANIES),
    "secondhand": lambda rng, ctx: pick(rng, SECONDHAND),
    "gift_card": lambda rng, ctx: pick(rng, GIFT_CARDS),
    "coin": lambda rng, ctx: pick(rng, COINS),
    "stock": lambda rng, ctx: pick(rng, STOCKS),
    "app": lambda rng, ctx: pick(rng, APPS),
    "emoji": lambda rng, ctx: pick(rng, EMOJI_ANY),
    "promo_emoji": lambda rng, ctx: pick(rng, EMOJI_PROMO),
    "amount_small": _amount(1_000, 60_000, 100),
    "amount_mid": _amount(50_000, 500_000, 10),
    "amount_big": _amount(300_000, 2_500_000, 1_000),
    "amount_fee": _amount(1_500, 5_000, 100),
    "amount_total": _amount(100_000, 4_000_000, 10),
    "refund": _refund,
    "loan_limit": lambda rng, ctx: pick(
        rng, ("3천만원", "5천만원", "1억", "최대 1억원", "2억", "최대 3천만원", "5,000만원")
    ),
    "rate": lambda rng, ctx: f"{rng.randint(2, 6)}.{rng.randrange(10)}%",
    "percent": lambda rng, ctx: str(pick(rng, ("150", "200", "300", "500", "30", "50", "80", "1,000"))),
    "count": lambda rng, ctx: str(rng.randint(2, 9)),
    "pay_day": lambda rng, ctx: pick(rng, ("15", "20", "30", "25", "10", "50")),
    "date": _date,
    "time": _clock,
    "hour": _hour,
    "waybill": _waybill,
    "account": _account,
    "case_no": _case_number,
    "otp": _otp,
    "card_tail": _card_tail,
    "digits": lambda rng, ctx: _digits(rng, 9),
    "plate": lambda rng, ctx: f"{rng.randint(10, 399)}{pick(rng, PLATE_LETTERS)} {_digits(rng, 4)}",
    "room": lambda rng, ctx: f"{rng.randint(101, 112)}동 {rng.randint(1, 25)}{rng.randint(1, 4):02d}호",
    "dong": lambda rng, ctx: f"{rng.randint(101, 115)}동",
    "floor": lambda rng, ctx: str(rng.randint(1, 12)),
    "grade": lambda rng, ctx: f"{rng.randint(1, 6)}학년 {rng.randint(1, 9)}반",
    "short_url": lambda rng, ctx: short_url(rng),
    "url_parcel": lambda rng, ctx: scam_url(rng, "parcel"),
    "url_customs": lambda rng, ctx: scam_url(rng, "customs"),
    "url_health": lambda rng, ctx: scam_url(rng, "health"),
    "url_pension": lambda rng, ctx: scam_url(rng, "pension"),
    "url_gov": lambda rng, ctx: scam_url(rng, "gov"),
    "url_bank": lambda rng, ctx: scam_url(rng, "bank"),
    "url_card": lambda rng, ctx: scam_url(rng, "card"),
    "url_exchange": lambda rng, ctx: scam_url(rng, "exchange"),
    "url_account": lambda rng, ctx: scam_url(rng, "account"),
    "url_invite": lambda rng, ctx: scam_url(rng, "invite"),
    "url_prize": lambda rng, ctx: scam_url(rng, "prize"),
    "url_pay": lambda rng, ctx: fake_url(rng, "pay"),
    "url_loan": lambda rng, ctx: scam_url(rng, "loan"),
    "url_invest": lambda rng, ctx: scam_url(rng, "invest"),
    "url_job": lambda rng, ctx: scam_url(rng, "job"),
    "url_telecom": lambda rng, ctx: scam_url(rng, "telecom"),
    "url_apk": lambda rng, ctx: apk_url(rng),
    "url_real_shop": lambda rng, ctx: real_url(rng, pick(rng, REAL_DOMAINS)),
    "url_real_invite": lambda rng, ctx: real_url(rng, pick(rng, INVITE_REAL_DOMAINS)) + "/" + _token(rng, 6),
    "url_real_gov": lambda rng, ctx: "https://" + pick(rng, GOV_REAL_DOMAINS),
    "url_real_courier": lambda rng, ctx: "https://" + _paired("courier", COURIERS, 1)(rng, ctx),
    "url_real_bank": lambda rng, ctx: "https://" + _paired("bank", BANKS, 1)(rng, ctx),
    "url_real_card": lambda rng, ctx: "https://" + _paired("card", CARDS, 1)(rng, ctx),
    "url_real_booking": lambda rng, ctx: pick(rng, BOOKING_LINKS) + _token(rng, 6),
    "url_shared": lambda rng, ctx: pick(rng, SHARED_LINK_HOSTS) + _token(rng, rng.randint(6, 11)),
    "url_meeting": lambda rng, ctx: pick(rng, MEETING_LINKS) + _digits(rng, 10),
    "mobile": lambda rng, ctx: mobile_number(rng),
    "masked_mobile": lambda rng, ctx: masked_mobile(rng),
    "landline": lambda rng, ctx: landline_number(rng),
    "internet_phone": lambda rng, ctx: internet_number(rng),
    "rep_number": lambda rng, ctx: representative_number(rng),
    "toll_free": lambda rng, ctx: toll_free_number(rng),
    "callback": lambda rng, ctx: rng.choice((landline_number, internet_number, representative_number))(rng),
    "kakao_id": lambda rng, ctx: kakao_id(rng),
    "telegram_id": lambda rng, ctx: telegram_id(rng),
    "open_chat": lambda rng, ctx: open_chat(rng),
}
