"""Normal-message families, weighted toward hard negatives that share the scams' vocabulary."""

from __future__ import annotations

from weave_ml.training.corpus import vocabulary as v
from weave_ml.training.corpus.template import Family, parse_block, sender_mix

NORMAL = 0

# Institutions text from their representative numbers or short codes; people from their mobiles.
_INSTITUTION = sender_mix((v.representative_number, 0.65), (v.short_code, 0.25), (v.landline_number, 0.1))
_SMALL_BUSINESS = sender_mix(
    (v.landline_number, 0.45),
    (v.internet_number, 0.3),
    (v.representative_number, 0.15),
    (v.mobile_number, 0.1),
)
_PERSON = sender_mix((v.mobile_number, 0.7), (None, 0.3))
_MESSENGER = sender_mix((None, 0.6), (v.mobile_number, 0.4))
_ADVERTISER = sender_mix(
    (v.representative_number, 0.5),
    (v.toll_free_number, 0.15),
    (v.landline_number, 0.2),
    (v.internet_number, 0.15),
)
_COURIER = sender_mix((v.mobile_number, 0.4), (v.representative_number, 0.45), (v.short_code, 0.15))
_PUBLIC = sender_mix((None, 0.35), (v.short_code, 0.3), (v.representative_number, 0.35))

_NOTICE = (("web", 0.7), ("sms", 0.3))
_CHAT = (("chat", 0.9), ("sms", 0.1))

BANK_NOTICE = Family(
    "ham_bank_notice",
    NORMAL,
    parse_block(r"""
    - [{bank_short}] {date} {time}\n{account}\n{masked_name}\n입금\n{amount_mid}\n잔액 {amount_total}
    - {bank_short} {date} {time} 출금 {amount_mid} 잔액 {amount_total} {bill}
    - [{bank}] {masked_name}님 {date} 자동이체 예정 안내: {bill} {amount_mid}원 출금 예정. 잔액이 부족하면
      출금되지
      않습니다.
    - [{bank}] 대출 이자 납입일({date}) 안내. 납입 예정 금액 {amount_mid}원. 결제 계좌 잔액을 확인해 주세요.
    - [{bank}] {masked_name}님 적금 만기일은 {date}입니다. 가까운 영업점 또는 앱에서 해지 가능합니다.
    - [{bank}] 고객님 대출 상환일이 {date}입니다. 상환 예정액 {amount_mid}원(원금+이자). 문의 {rep_number}
    - {bank_short}입금 {amount_mid}원 {other_name} {date} {time} 잔액{amount_total}원
    - [{bank}] 해외송금 도착 안내 USD {usd} 입금 완료. 자세한 내용은 앱에서 확인하세요.
    - [{bank}] 타행 이체 {amount_mid}원 완료. 받는 분: {other_name}. 본인이 하지 않은 거래라면
      {rep_number}로 연락
      주세요.
    - [{securities}] {stock} {count}0주 {매수|매도} 체결(체결가 {amount_small}원)
    - [{bank}] {date} 자동이체 {bill} {amount_mid}원이 정상 출금되었습니다.
    - [{bank}] 고객님의 예금 만기 안내문을 보내드립니다. 자세한 내용은 {url_real_bank} 에서 확인하세요.
    - [{bank}] 전자금융사기 예방 안내: 은행은 문자로 링크를 보내거나 앱 설치를 요구하지 않습니다. 의심
      문자는
      {rep_number}로 문의하세요.
    - [{bank}] 고객님의 대출 약정 만기가 {date}입니다. 연장 신청은 영업점 방문 또는 앱에서 가능합니다.
    - [{bank}] 급여 입금 {amount_total}원({company}) 잔액 {amount_total2}원
    - [{bank}] 비대면 계좌개설이 완료되었습니다. 본인이 신청하지 않았다면 즉시 고객센터({rep_number})로
      알려주세요.
    - [{bank}] {masked_name}님 {date} 대출금 {amount_mid}원 상환이 정상 처리되었습니다. 대출 잔액
      {amount_total}원
    - [{bank}] 예금 이자 {amount_small}원이 지급되었습니다({date}).
    - [{bank_short}] 출금 {amount_small}원 {shop} 잔액 {amount_total}원
"""),
    _INSTITUTION,
    _NOTICE,
    1.4,
)

CARD_APPROVAL = Family(
    "ham_card_approval",
    NORMAL,
    parse_block(r"""
    - {card}승인\n{masked_name}\n{amount_small}원 일시불\n{date} {time} {shop}\n누적{amount_total}원
    - {card}({card_tail})승인 {masked_name} {amount_small}원 일시불 {date} {time} {shop} 누적
      {amount_total}원
    - [{card}] {masked_name}님 {date} {shop} {amount_small}원 승인
    - {card} 승인취소 {masked_name} {amount_small}원 {date} {shop}
    - {card}({card_tail}) 해외승인 {masked_name} USD {usd} {date} {subscription}
    - [{card}] {masked_name}님 {subscription} {amount_small}원 정기결제 승인 완료
    - 체크카드 {bank_short}({card_tail}) {masked_name} {amount_small}원 {date} {time} {shop} 잔액
      {amount_total}원
    - {card} {amount_mid}원 {count}개월 할부 승인 {date} {shop} 누적 {amount_total}원
    - {card}승인 {masked_name} {amount_mid}원 일시불 {date} {time} 하이마트 누적{amount_total}원
    - [{card}] 해외 이용 알림: {merchant} USD {usd} 승인. 해외 결제 차단은 {card} 앱에서 설정할 수 있습니다.
    - [{card}] {date} {shop} {amount_small}원 결제가 취소되었습니다. 환불은 영업일 기준 3~5일 소요됩니다.
    - {card} 승인 {masked_name} {amount_small}원 {date} {time} 배달의민족 누적 {amount_total}원
"""),
    _INSTITUTION,
    (("web", 0.6), ("sms", 0.4)),
    1.4,
)

CARD_STATEMENT = Family(
    "ham_card_statement",
    NORMAL,
    parse_block(r"""
    - [{card}] {masked_name}님 {date} 결제예정금액은 {amount_total}원입니다. 결제계좌 잔액을 확인해 주세요.
    - [{card}] {month} 이용대금명세서가 발송되었습니다. 청구금액 {amount_total}원, 결제일 {date}
    - [{card}] 이번 달 결제하실 금액은 {amount_total}원(결제일 {date})입니다. 자세한 내용은 {card} 앱에서
      확인하세요.
    - [{card}] 연회비 {amount_small}원이 {date}에 청구될 예정입니다.
    - [{card}] 카드 유효기간 만료로 새 카드를 등록된 주소로 발송했습니다. 수령 후 카드 뒷면에 서명해 주세요.
    - [{card}] 결제대금 {amount_total}원이 {bank} 계좌에서 정상 출금되었습니다.
    - [{card}] 포인트 {amount_small}P가 {date} 소멸 예정입니다. {card} 앱 > 포인트에서 사용하실 수 있습니다.
    - [{card}] {masked_name}님, 카드 한도가 {amount_total}원으로 상향되었습니다. 문의 {rep_number}
    - [{card}] {date} 결제일 미납금액 {amount_mid}원이 있습니다. 연체 방지를 위해 납부 부탁드립니다.
      고객센터
      {rep_number}
    - [{card}] {month} 명세서: 일시불 {amount_mid}원, 할부 {amount_mid2}원, 합계 {amount_total}원
    - [{card}] {month} 이용대금명세서 보기 {url_real_card}
    - [{card}] 선결제 {amount_mid}원이 처리되었습니다. 남은 결제예정금액 {amount_total}원
    - [{card}] 새 카드 배송이 시작되었습니다. 받으신 뒤 앱 > 카드 등록에서 사용을 시작하세요.
    - [{card}] {masked_name}님 카드가 {date} 등기로 발송되었습니다. 수령 후 뒷면에 서명해 주세요.
    - [{card}] 요청하신 결제 계좌 변경이 완료되었습니다.
"""),
    _INSTITUTION,
    _NOTICE,
)

OTP = Family(
    "ham_otp",
    NORMAL,
    parse_block(r"""
    - [{platform}] 인증번호 [{otp}]를 입력해주세요. 타인에게 절대 알려주지 마세요.
    - [{shop}] 인증번호는 [{otp}]입니다.
    - [{bank}] 인증번호 [{otp}] 타인 노출 금지. 경찰·금감원은 절대 인증번호를 요구하지 않습니다.
    - 인증번호 {otp} 입력해주세요(3분 이내)
    - [{platform}] 본인확인 인증번호({otp})입력시 정상처리 됩니다.
    - [{card}] 결제 인증번호 [{otp}]. 본인이 요청하지 않았다면 무시하세요.
    - [{telecom}] 휴대폰 본인확인 인증번호 [{otp}]를 입력해 주세요. 정부·수사기관은 인증번호를 요구하지
      않습니다.
    - [당근] 인증번호 [{otp}] 를 입력해주세요. 인증번호를 타인에게 알려주지 마세요.
    - [{exchange}] 로그인 인증번호 {otp}. 유효시간 3분.
    - [토스] 인증번호 {otp}. 절대 타인에게 공유하지 마세요. 토스 직원도 인증번호를 묻지 않습니다.
    - [쿠팡] 인증번호 [{otp}]를 입력해주세요.\n\n@m.coupang.com #{otp}
    - [배달의민족] 인증번호 [{otp}]를 입력해주세요.
    - [{platform}] 로그인 확인 코드 {otp}
    - [정부24] 본인확인 인증번호 [{otp}]
    - [{courier}] 무인택배함 보관 인증번호 {otp}. {date}까지 찾아가 주세요.
"""),
    _INSTITUTION,
    (("web", 0.75), ("sms", 0.25)),
    1.2,
)

# Genuine texts that really do arrive with [국외발신]: global services' codes, travel, people abroad. Without
# them the prefix alone would mark a text as fraud.
OVERSEAS = Family(
    "ham_overseas",
    NORMAL,
    parse_block(r"""
    - G-{otp} is your Google verification code.
    - Your Apple ID Code is: {otp}. Don't share it with anyone.
    - {otp} is your WhatsApp code. Don't share this code with others.
    - Use {otp} to verify your Instagram account.
    - Microsoft 계정 보안 코드: {otp}
    - Telegram code: {otp}. Do not give this code to anyone, even if they say they are from Telegram!
    - [Agoda] 예약이 확정되었습니다. 체크인 {date}. 예약번호 {digits}
    - [Booking.com] {date} 숙소 체크인 안내: 체크인은 오후 3시부터 가능합니다.
    - 아고다 인증 코드 {otp}
    - 나 방콕 도착했어! 와이파이 잡히면 카톡할게
    - 엄마 나 공항 도착 로밍 문자라 짧게 보내 이따 호텔가서 전화할게
    - {nick}아 여기 도쿄야 ㅋㅋ 면세점에서 뭐 사다줄까?
    - 출장 중이라 현지 번호로 연락드립니다. 회의는 {date}로 조정 부탁드립니다. {name}
    - [Uber] Your Uber code: {otp}. Never share this code.
    - Your Amazon OTP is {otp}. Do not share it with anyone.
    - [TikTok] {otp} is your verification code
"""),
    sender_mix((v.international_number, 1.0)),
    (("intl", 0.85), ("sms", 0.15)),
    0.6,
)

SECURITY_NOTICE = Family(
    "ham_security_notice",
    NORMAL,
    parse_block(r"""
    - [{platform}] 새로운 기기에서 로그인했어요. 본인이 아니라면 앱에서 비밀번호를 변경해 주세요.
    - [{bank}] 새 기기에서 인증서 로그인이 확인되었습니다. 본인이 아닌 경우 고객센터 {rep_number}
    - [{exchange}] 출금 주소 등록이 완료되었습니다. 본인이 아닌 경우 즉시 고객센터로 연락 바랍니다.
    - [{bank}] 고객님의 모바일 OTP가 등록되었습니다. 문의 {rep_number}
    - [{platform}] 비밀번호가 변경되었습니다. 직접 변경하지 않았다면 고객센터로 문의해 주세요.
    - [{bank}] 이체 한도가 {amount_total}원으로 변경되었습니다. 본인이 변경하지 않았다면 {rep_number}로 연락
      주세요.
    - [{bank}] {masked_name}님 공동인증서 만료 {date}. 앱 실행 후 인증센터에서 갱신하실 수 있습니다.
    - [{exchange}] {date} {time} 로그인 알림. 접속 기기: iPhone. 본인이 아니면 앱에서 계정 잠금을
      진행하세요.
    - [{card}] 해외 결제 차단 서비스가 설정되었습니다.
    - [{telecom}] 고객님 명의로 휴대폰이 신규 개통되었습니다. 본인이 아닌 경우 114로 문의 바랍니다.
"""),
    _INSTITUTION,
    _NOTICE,
    0.9,
)

DELIVERY = Family(
    "ham_delivery",
    NORMAL,
    parse_block(r"""
    - [{courier}] 고객님의 상품이 배송완료되었습니다. 배송장소: {문 앞|경비실|택배함}
    - [{courier}] {masked_name}님, 주문하신 상품(운송장 {waybill})이 {date} 배송 예정입니다. 배송조회
      {url_real_courier}
    - [우체국택배] 오늘 {hour} 전후 배달 예정입니다. 부재 시 경비실 보관. 집배원 {mobile}
    - [쿠팡] 고객님께서 주문하신 상품이 배송 완료되었습니다. 배송위치: 문 앞
    - [{courier}] 택배 배송 예정 안내입니다. 담당 {surname}기사 {mobile}
    - 안녕하세요 {courier} 기사입니다 오늘 택배 문앞에 두고 갑니다~
    - 택배기사입니다 {room} 안 계셔서 경비실에 맡겨두었습니다
    - [{courier}] 반품 회수 접수가 완료되었습니다. {date} 방문 예정입니다.
    - [{shop}] 주문하신 {product} 출고가 완료되었습니다. {courier} 운송장 {waybill}
    - [{courier}] 편의점 택배 접수 완료. 운송장번호 {waybill}
    - [우체국] 등기우편물 배달 안내: {date} 방문 예정. 부재 시 우체국 보관(문의 1588-1300)
    - [{courier}] 배송 출발 안내. 실시간 배송 위치 확인 {url_real_courier}
    - [{courier}] 오늘 도착 예정입니다. 배송 조회: {url_real_courier}
    - [{courier}] 고객님 상품을 {place} 무인택배함에 보관하였습니다.
    - [마켓컬리] 샛별배송 완료! 문 앞에 상품을 두고 갑니다. 배송 사진은 앱에서 확인하세요.
    - [{courier}] 배송 지연 안내: 물량 증가로 {date} 배송 예정입니다. 양해 부탁드립니다.
    - {courier}입니다. 고객님 택배 {hour}쯤 도착 예정인데 집에 계실까요?
    - [{courier}] {product} 배송이 시작되었습니다. 도착 예정일 {date}
"""),
    _COURIER,
    (("web", 0.55), ("sms", 0.45)),
    1.3,
)

APPOINTMENT = Family(
    "ham_appointment",
    NORMAL,
    parse_block(r"""
    - [{hospital}] {name}님 {date} {hour} 진료 예약되어 있습니다. 변경 시 {landline}
    - [{salon}] 내일 {hour} 예약 확인 부탁드립니다 :)
    - [{restaurant}] 예약이 접수되었습니다. 예약 상세 {url_real_booking}
    - [네이버 예약] {salon} 예약 안내 {date} {hour}. 예약 확인 {url_real_booking}
    - [캐치테이블] {restaurant} {date} {hour} {count}명 예약이 확정되었습니다.
    - [{hospital}] 건강검진 예약 안내: {date} {hour}. 전날 저녁 9시 이후 금식해 주세요.
    - [{hospital}] {masked_name}님 처방전이 발행되었습니다. 가까운 약국에서 수령하세요.
    - [네이버 예약] {salon} {date} {hour} 예약 완료. 변경/취소는 네이버 예약에서 가능합니다.
    - [{restaurant}] 예약 하루 전 안내드립니다. {date} {hour} {count}분. 변경 시 미리 연락 부탁드립니다.
    - [{hospital}] 예방접종 안내: {name}님 2차 접종일은 {date}입니다.
    - [{salon}] 고객님 {date} 예약 변경 완료되었습니다. 감사합니다
    - [코레일] {date} {time} KTX 서울→부산 {count}호차 예매 완료
    - [{hospital}] 검사 결과가 나왔습니다. 다음 진료 시 설명드리겠습니다. 문의 {landline}
    - [CGV] {date} {time} 예매 완료 {count}관
    - [{hospital}] {name}님 치료 후 불편한 점 있으시면 언제든 연락 주세요. {landline}
"""),
    _SMALL_BUSINESS,
    (("web", 0.5), ("sms", 0.5)),
)

SHOP_AD = Family(
    "ham_shop_ad",
    NORMAL,
    parse_block(r"""
    - (광고)[{shop}] {month} 감사 세일 최대 70% 할인! 매장 및 온라인 동시 진행\n무료수신거부 {toll_free}
    - (광고) {shop} 회원님께 {amount_small}원 할인쿠폰을 드립니다. 앱에서 확인하세요. 무료수신거부
      {toll_free}
    - (광고)[{shop}] 신상품 입고 안내 {url_real_shop}\n무료거부 {toll_free}
    - (광고)[{card}] {shop} 무이자 할부 이벤트 {date}까지. 자세한 내용은 앱 참고. 수신거부 {toll_free}
    - (광고)[{telecom}] 신규 가입 및 기기변경 혜택 안내. 가까운 대리점 방문 시 사은품 증정. 무료수신거부
      {toll_free}
    - (광고) 안녕하세요 {salon}입니다 :) 이번 달 펌 20% 할인 예약 {internet_phone} 수신거부 {toll_free}
    - (광고)[{restaurant}] 연말 모임 예약 받습니다. 단체 10% 할인 {landline} 무료거부 {toll_free}
    - (광고)[{shop}] 포인트 2배 적립 DAY! {date} 하루만 ▶ {url_real_shop} 무료수신거부 {toll_free}
    - (광고)[{bank}] 비대면 적금 특판 연 {rate}. 자세한 사항은 앱 참고. 수신거부 {toll_free}
    - (광고)[{insurer}] 자동차보험 만기 안내. 다이렉트 가입 시 할인 {rep_number} 무료수신거부 {toll_free}
    - (광고) {shop} 블랙프라이데이 ★ 최대 80% ★ {short_url} 무료수신거부 {toll_free}
    - (광고)[{shop}] 회원님 생일 축하드려요 🎂 생일쿠폰이 발급되었습니다. 무료수신거부 {toll_free}
    - (광고)[{bank}] 주택담보대출 금리 안내 - 자세한 상담은 가까운 영업점에서. 무료수신거부 {toll_free}
    - (광고)[{shop}] 오늘만 특가 {product} {url_real_shop}\n무료수신거부 {toll_free}
    - (광고)[{shop}] 장바구니 상품 {product} 가격이 내려갔어요! {url_real_shop} 수신거부 {toll_free}
    - (광고)[{shop}] 찜한 상품 가격 인하 알림 {short_url} 무료수신거부 {toll_free}
    - (광고)[{shop}] {month} 회원 전용 쿠폰팩 받기 {short_url}\n무료수신거부 {toll_free}
    - (광고) {salon} 신규 고객 첫 방문 {count}0% 할인 {landline} 무료수신거부 {toll_free}
"""),
    _ADVERTISER,
    (("web", 0.6), ("sms", 0.4)),
    1.2,
)

GOV_NOTICE = Family(
    "ham_gov_notice",
    NORMAL,
    parse_block(r"""
    - [행정안전부] 오늘 {hour} 서울 지역 한파경보 발령. 외출 자제, 수도관 동파에 주의 바랍니다.
    - [{city}] 폭염경보 발령 중. 야외활동 자제, 물 자주 마시기 등 건강에 유의하시기 바랍니다.
    - [중앙선거관리위원회] 사전투표 {date}~ 신분증 지참 후 가까운 사전투표소에서 투표하실 수 있습니다.
    - [{city}] 실종자 {other_name}(8{count}세, 남)을 찾습니다. 165cm, 회색 점퍼. 보신 분은 182 신고
    - [국민건강보험공단] {year}년 일반건강검진 대상자입니다. 연말까지 가까운 검진기관에서 받으시기 바랍니다.
      문의 1577-1000
    - [국세청] 종합소득세 신고 기간은 5월 31일까지입니다. 홈택스 또는 손택스에서 신고하세요.
    - [{city}] 호우경보 발령. 하천변, 지하차도 이용을 자제해 주시기 바랍니다.
    - [기상청] {place} 인근 규모 3.{count} 지진 발생. 여진에 대비하시기 바랍니다.
    - [국민연금공단] {masked_name}님 {month} 연금 {amount_mid}원이 지급되었습니다. 문의 1355
    - [경찰청] 보이스피싱 주의! 검찰·경찰·금감원은 절대 돈을 요구하지 않습니다. 의심되면 112
    - [{city}] 주민등록 사실조사 기간 안내 {date}~ 방문 조사에 협조 바랍니다.
    - [{city}] 미세먼지 비상저감조치 시행. 공공기관 차량 2부제를 실시합니다.
    - [병무청] {name}님 예비군 훈련 일정 안내 {date}. 자세한 사항은 병무청 누리집 참고
    - [도로교통공단] 운전면허 갱신 기간 안내: {date}까지 가까운 면허시험장 또는 경찰서에서 갱신하시기
      바랍니다.
    - [중앙선거관리위원회] 내 투표소 찾기는 https://www.nec.go.kr 에서 확인하실 수 있습니다.
    - [행정안전부] 폭염 행동요령은 국민재난안전포털(www.safekorea.go.kr)을 참고하세요.
    - [{city}] 대설주의보 발령. 내 집 앞 눈 치우기에 동참해 주세요.
    - [국세청] 근로장려금 심사 결과 {amount_mid}원이 {date} 지급될 예정입니다. 문의 126
"""),
    _PUBLIC,
    (("web", 0.45), ("sms", 0.55)),
)

FAMILY_CHAT = Family(
    "ham_family_chat",
    NORMAL,
    parse_block(r"""
    - 엄마 오늘 늦어
    - 폰 충전 다 됐어?
    - 엄마 나 학원 끝났어 데리러 올 수 있어?
    - 저녁 뭐 먹어?
    - 아빠 생신 선물 뭐 할까?
    - 엄마 택배 왔는데 뭐 시킨거야?
    - 엄마 내 폰 액정 깨졌어ㅠ 이번 주말에 수리 맡기러 가야될듯
    - 아까 인증번호 잘못 보냈어 무시해
    - 아빠 차 키 어디 있어?
    - 응 엄마 지금 마트야 필요한거 있어?
    - 할머니 댁에 몇시에 가?
    - 엄마 나 시험 끝났어!!
    - 밥은 먹었어?
    - 오늘 비 온대 우산 챙겨가
    - 아들 오늘 몇시에 와?
    - 엄마 편의점에서 {amount_small}원 결제한거 나야 카드 문자 갔지?
    - 엄마 나 폰 바꿨어 번호는 그대로고 기계만 바꿈 ㅋㅋ
    - 동생 {hour}에 데리러 갈 수 있어?
    - 아빠 대출 상환일 언제였지? 은행에서 문자 왔던데
    - 엄마 김치 다 떨어졌어 주말에 가지러 갈게
    - 주말에 {place}에서 보자
    - 엄마 이거 스미싱 문자 같은데 링크 누르지 마
    - {nick}아 저녁 먹고 들어와?
    - 엄마 {hour}쯤 도착해
    - 아빠 오늘 회식이라 늦어
    - 할머니가 보내주신 택배 잘 받았어 감사하다고 전해줘
    - 엄마 관리비 고지서 나왔어 식탁 위에 둘게
    - 여보 퇴근할 때 우유 좀 사와
    - 엄마 나 용돈 다 썼어ㅠㅠ 다음주에 받을 수 있을까
    - 이번 명절에 {place} 몇시 기차야?
    - 우리 {nick} 생일 케이크 예약했어
    - 아빠 폰 업데이트 하라고 계속 뜨는데 해도 돼?
    - 엄마 카톡 프사 바꿨네 ㅋㅋ 예쁘다
    - 엄마 병원 {hour} 예약했어 같이 가자
    - 나 지금 버스 탔어 {count}0분 뒤 도착
    - 엄마 비 오는데 {우산|장화} 없어ㅠ {역|정류장} {count}번 출구로 {나와줄래|와줄 수 있어}?
    - 엄마 나 {친구네서 자고 갈게|야자 끝나고 갈게|동아리 있어서 늦어}
    - 아빠 나 {터미널|기차역} 도착했어 {count}분 뒤에 나와줘
    - 엄마 나 폰 배터리 {5%|얼마 없어}라 연락 안되면 {nick}한테 해
    - 엄마 나 {hour}에 끝나 차로 데리러 와줄 수 있어?
    - 엄마 액정 {보호필름|케이스} 새로 샀어 ㅋㅋ 폰은 멀쩡해
    - 이번 달 {교통비|폰 요금} 생각보다 많이 나왔네 다음 달엔 아껴 쓸게
    - 아빠 {수강료|교재비} 결제했어 아빠 카드로 {amount_small}원 문자 갈 거야
    - {nick}이 폰으로 연락해 내 폰 꺼졌어 {hour} 전에는 들어갈게
    - 아빠 택배 {경비실|무인택배함}에 있대 들어올 때 찾아와줘
    - 엄마 용돈 {amount_small}원 보냈어 맛있는 거 사드세요
    - {첫 월급|알바비} 받았다!! 이번엔 내가 {저녁|치킨} 쏠게
    - 여보 이번 달 {가스비|관리비} 고지서 {amount_mid}원 나왔더라 자동이체 걸어둘게
    - {형|언니|오빠} {엄마|아빠} 선물 돈 모으자 얼마씩 낼까
    - 엄마 폰 {업데이트|카톡 업데이트} 하는 법 모르면 주말에 내가 해줄게
    - 엄마 나 은행 왔는데 통장 비밀번호 기억 안 나ㅠ 집에 가서 물어볼게
"""),
    _MESSENGER,
    _CHAT,
    1.3,
)

FRIEND_CHAT = Family(
    "ham_friend_chat",
    NORMAL,
    parse_block(r"""
    - ㅋㅋㅋ 내일 몇시에 봐?
    - {place} {hour} 어때
    - 택배 왔어? 내가 보낸 거 {product}
    - 야 {nick} 결혼한대 청첩장 받았어?
    - 오늘 회식 빠질게 ㅠ
    - 나 지금 출발 {count}0분 걸릴듯
    - {nick}아 생일 축하해!! 🎉
    - 어제 보낸 사진 봤어?
    - 나 폰 바꿨어 아이폰으로 ㅋㅋ
    - 저번에 밥값 {amount_small}원 카뱅으로 보냈어 확인해봐
    - 인증번호 문자가 자꾸 오는데 뭐지 나 해킹당한거 아니겠지
    - 너 요즘 부업 한다더니 할만해?
    - 주식 요즘 어때? 나 {stock} 물렸어 ㅠㅠ
    - 이번 주말에 {place} 가자
    - 회의 끝나고 연락할게
    - 야 그 영화 봤냐 ㅋㅋ
    - 나 이사했어 집들이 한번 와
    - {restaurant} 예약 {hour}로 해놨어
    - 오늘 진짜 피곤하다 ㅠㅠ
    - 더치페이 {amount_small}원씩! 토스로 보내줘
    - 헐 대박 ㅋㅋㅋㅋ
    - 택배 잘못 온 거 같아 너네 집 주소로 시켰나봐
    - 나 코인 다 팔았다 ㅋㅋ 이제 안함
    - 오늘 {place} 사람 진짜 많더라
    - 야 너 그 스미싱 문자 받았냐 택배 주소 어쩌고
    - 합격했어!!! 🎉🎉
    - 이따 전화할게 지금 운전중
    - 이거 봐봐 ㅋㅋㅋ {url_shared}
    - 여기 가게 어때? {url_shared}
    - 내일 여기서 만나자 {url_shared}
    - 결제 내가 할게 나중에 반 보내줘
    - {동창회|동호회|계모임} {month} 회비 걷어요~ {amount_small}원 총무 계좌로 부탁해요
    - {여행|펜션} 비용 정리해서 올렸어 각자 {amount_small}원 나한테 주면 돼
    - {count}만원 여기로 부탁~ toss.me/{nick_roman}
    - 방금 {amount_small}원 이체함 들어왔는지 봐줘
    - 계좌 다시 알려줘 아까 보낸 거 반송됐대
    - 인증번호 왔다고? 그거 내가 너 번호로 {예약|가입}하다가 잘못 눌렀어 미안
    - 저번에 빌린 {amount_small}원 지금 보냈다 고마워!
"""),
    _MESSENGER,
    _CHAT,
    1.2,
)

WORK = Family(
    "ham_work",
    NORMAL,
    parse_block(r"""
    - 팀장님 보고서 메일로 보냈습니다 확인 부탁드립니다
    - {hour} 회의 10분 늦게 시작합니다
    - {date} 출장 일정 공유드립니다. 자세한 건 메일 참고해주세요
    - 내일 오전 반차 쓰겠습니다
    - [{company}] 급여명세서가 발송되었습니다. 사내 포털에서 확인하세요.
    - 견적서 수정본 메일로 보내드렸습니다
    - 오늘 회식 {restaurant} {hour}입니다
    - {name} 대리님 자료 공유 부탁드려요
    - 샘플 택배로 보냈습니다 운송장 {waybill}입니다
    - [{company}] 정보보안 점검 주간입니다. 사내 계정 비밀번호를 이번 주 안에 변경해 주세요.
    - 고객사 미팅 {hour}으로 변경됐어요
    - 네 확인했습니다 감사합니다
    - 지금 {place} 도착했습니다 로비에서 기다릴게요
    - 결재 올려드렸습니다 승인 부탁드립니다
    - [{company}] {date} 전사 워크숍 안내. 장소는 추후 공지 예정입니다.
    - 법인카드 영수증 오늘까지 제출 부탁드립니다
    - {team} 주간회의 자료 취합 중입니다 {hour}까지 보내주세요
    - {hour} 회의 링크 공유드립니다 {url_meeting}
    - 자료 링크 여기 있습니다 {url_shared}
    - 대표님 결제 서류 {count}건 올려놨습니다
    - 거래처 입금 확인됐습니다 {amount_total}원 세금계산서 발행할게요
    - 출장비 {amount_mid}원 이번 급여에 같이 들어갑니다
    - 회식비 정산했습니다 인당 {amount_small}원 총무한테 보내주세요
    - {company} 계약금 {amount_total}원 오늘 오후에 송금 예정이라고 연락 왔습니다
"""),
    _PERSON,
    (("chat", 0.6), ("sms", 0.3), ("web", 0.1)),
)

SCHOOL = Family(
    "ham_school",
    NORMAL,
    parse_block(r"""
    - [{school}] {grade} 학부모님께, {date} 현장체험학습이 있습니다. 도시락 지참 바랍니다.
    - [{school}] 가정통신문이 e알리미로 발송되었습니다. 확인 부탁드립니다.
    - [{school}] 기말고사 일정 안내 {date}부터 3일간 진행됩니다.
    - [{school}] 내일은 개교기념일로 휴업합니다.
    - [{school}] 급식비 자동이체 안내: {date} {amount_small}원 출금 예정입니다.
    - [{school}] 학부모 상담주간 신청 안내. 학교 홈페이지에서 신청해 주세요.
    - [{academy}] {name} 학생 {time} 등원했습니다.
    - [{academy}] {name} 학생 {time} 하원했습니다.
    - [{school}] 방과후학교 수강 신청 기간 {date}까지. 학교 홈페이지 참고
    - [{academy}] {month} 수강료 {amount_mid}원 납부 안내드립니다. 계좌이체 또는 카드결제 가능합니다.
    - [{school}] 폭설로 인해 내일 등교 시간이 10시로 조정됩니다.
    - [{school}] {grade} 담임입니다. 내일 준비물은 색연필과 풀입니다.
"""),
    _SMALL_BUSINESS,
    (("web", 0.6), ("sms", 0.4)),
    0.9,
)

APARTMENT = Family(
    "ham_apartment",
    NORMAL,
    parse_block(r"""
    - [{apartment} 관리사무소] {date} 10시~12시 {dong} 단수 예정입니다. 양해 바랍니다.
    - [{apartment} 관리사무소] 엘리베이터 정기점검 {date} {hour}. 이용에 참고 바랍니다.
    - [관리사무소] {month} 관리비 {amount_mid}원, 납부 마감일은 {date}입니다.
    - [관리사무소] {room} 세대 택배가 관리실에 보관중입니다. 찾아가 주세요.
    - [{apartment}] 정기 소독 안내 {date}. 세대 방문 시 협조 부탁드립니다.
    - [관리사무소] 방문 차량 사전 등록은 관리사무소 또는 앱에서 가능합니다.
    - [{apartment} 관리사무소] {date} {hour}부터 정전 작업이 있습니다.
    - [관리사무소] 늦은 시간 층간소음 자제 부탁드립니다.
    - [{apartment}] 재활용 분리수거 요일이 {date}부터 변경됩니다.
    - [관리사무소] 지하주차장 물청소 {date} {hour}. 차량 이동 부탁드립니다.
    - [{apartment} 입주자대표회의] 동대표 선거 투표 안내 {date} 관리사무소 앞
"""),
    _SMALL_BUSINESS,
    (("web", 0.5), ("sms", 0.5)),
    0.8,
)

WEDDING = Family(
    "ham_wedding",
    NORMAL,
    parse_block(r"""
    - {nick}아 나 결혼해!! {date} {hour} {wedding_hall}이야 청첩장은 모임 때 줄게 ㅎㅎ
    - 선배님 잘 지내시죠? 저 {date}에 결혼하게 되었습니다. 바쁘시겠지만 와주시면 큰 힘이 될 것 같아요.
      장소는
      {wedding_hall}입니다.
    - 모바일 청첩장 보내드려요! {name} ♥ {other_name} {date} {hour} {wedding_hall} {url_real_invite}
    - [부고] {team} {name}님 부친상\n빈소: {funeral_hall} {count}호실\n발인: {date}\n마음으로 위로
      부탁드립니다.
    - [부고] {name}님 모친상을 알려드립니다. 빈소 {funeral_hall}, 발인 {date}. 삼가 고인의 명복을 빕니다.
    - 우리 {nick} 첫돌 잔치 {date} {hour} {restaurant}에서 해요~ 시간 되면 와줘 😊
    - 결혼식 와줘서 정말 고마워!! 신행 다녀와서 밥 살게
    - 축의금 계좌 여쭤봐도 될까요? 그날 못 가게 돼서요ㅠ
    - 청첩장 잘 받았어 축하해!! 당일에 보자
    - [{company}] 경조사 안내: {team} {name} 결혼({date}, {wedding_hall})
    - {nick}아 소식 들었어... 내일 조문 갈게. 힘내
    - 신랑측 계좌 {bank} {account} {name}입니다 감사합니다
    - 다음주 청첩장 모임 {place} {hour} 괜찮아?
    - [부고] {company} {name} 과장 빙모상. 빈소 {funeral_hall}. 발인 {date}
"""),
    _PERSON,
    (("chat", 0.6), ("sms", 0.3), ("web", 0.1)),
)

BILL = Family(
    "ham_bill",
    NORMAL,
    parse_block(r"""
    - [{telecom}] {month} 이용요금 {amount_small}원(납부일 {date}, 자동이체)
    - [{telecom}] 데이터 사용량 80% 도달 안내. 남은 데이터는 앱에서 확인하세요.
    - [{insurer}] 보험료 {amount_mid}원 자동이체 예정 {date}
    - [한국전력] 전기요금 {amount_small}원 청구(납기일 {date})
    - [{city} 도시가스] 가스 안전점검 방문 예정 {date} {hour}
    - [{telecom}] 휴대폰결제 {amount_small}원({shop}) 이용 안내. 결제 한도 변경은 114
    - [{telecom}] 약정 만료 예정일은 {date}입니다.
    - [{insurer}] 보험금 {amount_mid}원이 {bank} 계좌로 지급되었습니다.
    - [{telecom}] {month} 요금 {amount_small}원이 정상 납부되었습니다. 감사합니다.
    - [{insurer}] 자동차보험 만기일은 {date}입니다. 갱신은 담당 설계사 또는 고객센터({rep_number})로
      문의하세요.
    - [{telecom}] 로밍 요금제 가입 완료. 현지 도착 후 자동 적용됩니다.
"""),
    _INSTITUTION,
    _NOTICE,
)

SECONDHAND_CHAT = Family(
    "ham_secondhand",
    NORMAL,
    parse_block(r"""
    - {secondhand} 보고 연락드려요 {product} 아직 판매중인가요?
    - 네 {hour}에 {place} 2번 출구에서 뵐게요
    - 입금했습니다 확인 부탁드려요!
    - 택배거래 가능할까요? 택배비는 제가 부담할게요
    - 죄송한데 {amount_small}원까지 네고 가능할까요?
    - 물건 잘 받았습니다 감사해요 좋은 하루 되세요
    - 혹시 직거래 {place} 쪽에서 가능하세요?
    - 송장번호 {waybill}입니다 내일 도착 예정이에요
    - 사진 몇 장 더 보내주실 수 있나요?
    - 예약중으로 바꿔둘게요 내일 연락드릴게요
"""),
    _MESSENGER,
    _CHAT,
    0.8,
)

PAY_APP = Family(
    "ham_pay_app",
    NORMAL,
    parse_block(r"""
    - [{pay_app}] {other_name}님에게서 {amount_small}원이 도착했어요
    - [{pay_app}] 송금 알림: {masked_name}님 → 회원님 {amount_small}원 ({회비|밥값|더치페이|선물|용돈})
    - [{pay_app}] 모임통장 입금 {amount_small}원 ({other_name})
    - [{pay_app}] {amount_mid}원을 {other_name}님({bank_short})께 보냈습니다
    - [{pay_app}] 어제까지 쌓인 이자 {count}{count}원을 받았어요
    - [{pay_app}] {shop} {amount_small}원 결제, {count}0원 적립
    - [{pay_app}] 아직 받지 않은 송금이 있어요. {count}일 안에 앱에서 받아주세요
    - [{pay_app}] {other_name}님이 {amount_small}원 정산을 요청했어요
    - [{pay_app}] 충전 {amount_small}원 완료, 머니 잔액 {amount_mid}원
    - [{pay_app}] {other_name}님에게 보낸 {amount_small}원이 취소됐어요
"""),
    _INSTITUTION,
    (("web", 0.6), ("sms", 0.4)),
    0.9,
)

PUBLIC_SERVICE = Family(
    "ham_public_service",
    NORMAL,
    parse_block(r"""
    - [{city}] 소비쿠폰 신청 {count}주차 요일제 안내: 출생연도 끝자리에 맞춰 카드사나 주민센터에서 신청하세요.
    - [{card}] 지원금 {amount_mid}원 사용 가능 금액이 남아 있습니다. 사용처는 {card} 앱에서 확인하세요.
    - [{city}] 지역사랑상품권 {month} 할인 판매가 시작되었습니다. 1인 구매 한도 {count}0만원
    - [금융감독원] 금융회사를 사칭한 대출 권유 문자에 주의하세요. 금융회사는 문자로 대출을 권하지 않습니다.
    - [방송통신위원회] 출처가 불분명한 링크는 누르지 마시고 스미싱 의심 문자는 118로 신고해 주세요.
    - [고용센터] {name}님 취업지원 상담이 {date} {hour}로 예약되었습니다.
    - [{city} 민원실] 여권이 발급되었습니다. 신분증을 지참하고 {date}부터 수령하세요.
    - [{city}] {hour} 재활용 선별장 점검으로 수거가 하루 늦어집니다.
    - [경찰청] 운전면허 적성검사 기간이 {date}까지입니다. 가까운 시험장이나 경찰서에서 갱신하세요.
    - [국민건강보험공단] 건강보험료 {month}분 {amount_small}원이 자동이체로 납부되었습니다.
    - [관세청] 해외직구 물품 통관 목록 신고가 완료되었습니다. 세금 없이 반출 예정입니다.
    - [{city} 보건소] 어르신 독감 무료접종 기간 {date}까지. 가까운 위탁의료기관에서 접종하세요.
"""),
    _PUBLIC,
    (("web", 0.5), ("sms", 0.5)),
    0.9,
)

HOUSEHOLD_CHAT = Family(
    "ham_household_chat",
    NORMAL,
    parse_block(r"""
    - 엄마 나 {hour}쯤 도착해 역으로 나와줄 수 있어?
    - 아빠 나 이번 달 용돈 {amount_small}원만 더 보내주면 안 돼? ㅎㅎ 교재 사야 돼서
    - 여보 퇴근길에 우유랑 계란 좀 사와 카드 문자 오면 그거 나야
    - 엄마 {pay_app}로 {amount_small}원 보냈어 확인해봐
    - 아들 택배 왔어 현관에 뒀다 {product} 맞지?
    - 엄마 나 폰 액정 나가서 서비스센터 왔어 {hour}까지 연락 안 될 수도 있어
    - 할머니 저 {nick}이에요 주말에 찾아뵐게요 뭐 드시고 싶은 거 있으세요?
    - 엄마 공과금 자동이체 계좌 바꿨어? 은행 문자 왔길래
    - 아빠 차 보험 갱신 문자 왔는데 이번엔 어디로 할 거야?
    - 우리 {date} 가족 모임 {restaurant} {hour}로 예약했어 다들 시간 맞춰 와
    - [가족방] 내일 할머니 댁 가는 사람 {hour}에 집 앞에서 출발!
    - 엄마 나 오늘 야근이라 저녁 먹고 들어갈게
    - 오빠 나 노트북 좀 빌려줄 수 있어? 과제 제출해야 돼
    - 엄마 카톡 프로필 사진 바꿨네 ㅋㅋ 예쁘다
    - 여보 관리비 고지서 나왔어 이번 달 {amount_mid}원이래
    - 누나 {shop} 쿠폰 남은 거 있으면 나 줘 ㅎㅎ
    - 엄마 약 먹었어? 병원 예약 {date} {hour}이야 잊지 마
    - 아빠 폰 업데이트하라고 떠서 눌렀는데 괜찮은 거지? 공식 업데이트야
    - [반톡] {school} 내일 현장학습 도시락 챙겨 오세요~
    - 다들 회비 {amount_small}원씩 총무 계좌로 보내줘~ 이번 주까지
    - [동호회] {date} 정기모임 장소 변경: {place}. 참석 여부 댓글로 남겨주세요
"""),
    _PERSON,
    _CHAT,
    1.2,
)

LEGAL_NOTICE = Family(
    "ham_legal_notice",
    NORMAL,
    parse_block(r"""
    - (광고)[{bank}] 주택담보대출 금리 인하 안내. 자세한 내용은 영업점 또는 앱에서 확인하세요. 무료수신거부
      {toll_free}
    - (광고)[{card}] {month} 무이자 할부 안내. 대상 가맹점은 홈페이지 참고. 수신거부 {toll_free}
    - [{telecom}] {month} 이용요금은 {amount_mid}원이며 {date}에 출금될 예정입니다.
    - [{telecom}] 고객님 데이터 사용량이 기본 제공량의 90%에 도달했습니다.
    - [{telecom}] 유심 무상 교체 예약이 완료되었습니다. 방문 매장: {place} {date} {hour}
    - [국민비서] {date} 자동차 검사 기간이 시작됩니다. 가까운 검사소에서 받으세요.
    - [정부24] 신청하신 주민등록등본 발급이 완료되었습니다.
    - [{courier}] {masked_name}님 상품이 배송 완료되었습니다. (운송장 {waybill})
    - [{shop}] 주문하신 {product} 상품이 출고되었습니다. 배송조회는 앱에서 확인하세요.
    - [{bank}] 인증번호 [{otp}] 타인에게 절대 알려주지 마세요.
    - [{card}] {masked_name}님 {amount_mid}원 승인 {date} {hour} {shop}
    - (광고) {shop} 주말 특가 최대 50% 할인 ▶ {url_real_shop} 무료거부 {toll_free}
"""),
    _ADVERTISER,
    _NOTICE,
    0.8,
)


FAMILIES: tuple[Family, ...] = (
    BANK_NOTICE,
    CARD_APPROVAL,
    CARD_STATEMENT,
    OTP,
    OVERSEAS,
    SECURITY_NOTICE,
    DELIVERY,
    APPOINTMENT,
    SHOP_AD,
    GOV_NOTICE,
    FAMILY_CHAT,
    FRIEND_CHAT,
    WORK,
    SCHOOL,
    APARTMENT,
    WEDDING,
    BILL,
    SECONDHAND_CHAT,
    PAY_APP,
    PUBLIC_SERVICE,
    HOUSEHOLD_CHAT,
    LEGAL_NOTICE,
)
