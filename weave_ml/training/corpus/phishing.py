"""Smishing template families, worded the way real Korean lure texts are written."""

from __future__ import annotations

from weave_ml.training.corpus import vocabulary as v
from weave_ml.training.corpus.template import Family, parse_block, sender_mix

PHISHING = 1

# Lures arrive from throw-away mobiles, 070 lines and spoofed landlines; foreign senders come with the
# "intl" channel, which the generator pairs with an international number.
_THROWAWAY = sender_mix(
    (v.mobile_number, 0.55),
    (v.internet_number, 0.25),
    (v.landline_number, 0.1),
    (v.representative_number, 0.1),
)
_SPOOFED_OFFICIAL = sender_mix(
    (v.representative_number, 0.3),
    (v.landline_number, 0.3),
    (v.internet_number, 0.2),
    (v.mobile_number, 0.15),
    (v.short_code, 0.05),
)
_MESSENGER = sender_mix((None, 0.6), (v.mobile_number, 0.4))
_ADVERTISER = sender_mix(
    (v.internet_number, 0.35),
    (v.mobile_number, 0.35),
    (v.landline_number, 0.15),
    (v.representative_number, 0.15),
)

_WEB_OR_INTL = (("web", 0.45), ("intl", 0.35), ("sms", 0.2))
_OFFICIAL = (("web", 0.55), ("intl", 0.25), ("sms", 0.2))

PARCEL = Family(
    "parcel",
    PHISHING,
    parse_block(r"""
    - [{courier}] 고객님의 택배가 {주소불명|주소 불일치|도로명주소 미기재|주소지 오류}로 {보관중|배송
      보류중|터미널 보관중}입니다.
      {주소 확인|주소지 수정|주소 재입력} 부탁드립니다. {url_parcel}
    - 고객님 택배가 주소지 불일치로 반송예정입니다. 주소수정 바랍니다 {url_parcel}
    - [우체국] 등기소포 {배달불가|배송불가}(주소불명). {date}까지 주소지 수정 후 재배송 신청바랍니다 ▶
      {url_parcel}
    - [{courier}] 운송장번호 {waybill} 상품이 도로명주소 불일치로 배송이 {지연|중단}되었습니다. 24시간 내
      확인하지 않으면 {반송|자동 반송} 처리됩니다.\n{url_parcel}
    - {courier} 배송불가 안내. 수취인 부재 및 주소 미확인으로 물류센터 보관중. 재배송 신청: {url_parcel}
    - [{courier}] 미결제 배송비({amount_fee}원)로 인해 배송이 중단되었습니다. 결제 후 정상 배송됩니다
      {url_parcel}
    - 고객님의 소포가 {date} 반송 예정입니다. 주소 확인 후 재접수 하세요. {url_parcel}
    - [택배] 고객님 물품이 주소 오류로 창고에 보관되어 있습니다. 확인 부탁드립니다 {short_url}
    - {courier}: 고객님, 주문하신 {product} 배송 전 주소 정보 확인이 필요합니다. 아래 링크에서 주소를
      업데이트해
      주세요\n{url_parcel}
    - [{courier}] {masked_name}님 택배({waybill}) 주소 불명확으로 배달 실패. 재배송 예약 ▶ {url_parcel}
    - 택배 파손 보상 안내\n고객님의 상품이 운송 중 파손되어 보상 접수가 필요합니다. 접수하기: {url_parcel}
    - [우체국택배] 수령인 정보가 일치하지 않아 배송이 보류되었습니다. 주소 변경: {url_parcel}
    - [{courier}] 고객님 택배 도착했는데 {부재중이셔서|집에 안계셔서} 보관중입니다 주소 다시 확인해주세요
      {short_url}
    - (알림) 택배 물품 보관기간 만료 예정 {date}. 미수령 시 반송 및 폐기됩니다. 수령 확인 {url_parcel}
    - [{courier}] 배송정보 오류 - 상세주소(동/호수) 누락. 입력하지 않으면 {date} 반송됩니다 {url_parcel}
    - [{courier}]고객님의 택배가 {date} 배송 예정이었으나 주소 불일치로 보관 중입니다.확인 후 수정 바랍니다
      {url_parcel}
    - 택배 {보관중|반송예정} 안내: 고객님 {product} 주소불명. {확인|조회}▶{url_parcel}
    - [{courier}] 배송 주소가 정확하지 않아 물품이 집하장에 보관되어 있습니다. 오늘 중으로 주소 확인
      부탁드립니다
      {url_parcel}
    - {courier} {masked_name}님 물품이 {count}일째 찾아가지 않은 상태로 보관중입니다. 기간이 지나면 보낸 곳으로 되돌려
      보냅니다. 수령 방법 선택 {url_parcel}
    - [{courier}] 두 차례 방문 시 수령인 부재. 재방문 일정 예약 {url_parcel}
    - {명절|연말} 선물 택배가 {courier} 터미널에 보관 중이에요. 수령지를 알려주세요 {url_parcel}
    - 고객님 상품 {문 앞|현관 앞|경비실} 배달 완료 인증 사진이 등록되었습니다. 보기 {url_parcel}
    - 물품 {반송|회송} 접수 예정 - 수취 정보 {재확인|보완} 요망 {short_url}
    - [{courier}] {waybill} 수취인 정보 누락으로 {집하|출고} 대기 중. 정보 입력 {url_parcel}
    - {courier} 담당기사인데요 주소에 호수가 없어서 배달을 못 했어요 여기 들어가서 적어주시면 내일 갖다드릴게요
      {url_parcel}
    - [{shop}] 결제하신 {product} 주문이 배송지 {미확인|오류}로 {취소 예정|출고 대기}입니다. 주소 변경 {url_parcel}
"""),
    _THROWAWAY,
    _WEB_OR_INTL,
    1.4,
)

PARCEL_CUSTOMS = Family(
    "parcel_customs",
    PHISHING,
    parse_block(r"""
    - [관세청] 해외직구 물품 통관 보류 안내. 개인통관고유부호 불일치로 통관이 지연되고 있습니다. 확인:
      {url_customs}
    - [{courier}] 해외배송 상품이 관부가세 미납({amount_small}원)으로 통관 보류중입니다. 납부 후 배송됩니다
      {url_customs}
    - [관세청 UNI-PASS] 수입신고 정보 불일치. 개인통관고유부호 재등록 필요 {url_customs}
    - 고객님 해외택배 통관 과정에서 수취인 정보 누락으로 세관 보류중입니다 {date}까지 미확인시 반송
      {url_customs}
    - [인천세관] 고객님 명의 국제우편물에서 반입금지 물품이 적발되어 확인이 필요합니다. 담당자 {callback}
    - [국제택배] {merchant} 주문 상품 통관 수수료 {amount_fee}원 미결제. 결제 링크: {url_customs}
    - 관세청입니다. 귀하 명의로 통관 접수된 물품({product})이 있어 안내드립니다. 본인 주문이 아닐 경우
      {callback}로
      신고바랍니다.
    - [EMS] 국제소포 세관 검사 대기중. 통관 진행을 위해 {신분 확인|본인 인증} 바랍니다 {url_customs}
    - [해외직구] 개인통관부호 오류로 물품이 세관에 {압류|억류}되었습니다. 7일 이내 정정 바랍니다.
      {url_customs}
    - [{courier}] 국제화물 {waybill} 통관 보류(관세 미납) 납부기한 {date}. 미납시 폐기 처리. {url_customs}
    - [세관] {merchant} 구매 물품 관세 {amount_small}원 미납. 기한 내 미납 시 반송 및 과태료 부과
      {url_customs}
"""),
    _THROWAWAY,
    (("intl", 0.5), ("web", 0.35), ("sms", 0.15)),
)

PUBLIC_HEALTH = Family(
    "public_health",
    PHISHING,
    parse_block(r"""
    - [{health}] {date} 건강검진 결과 통보서가 발송되었습니다. 결과 확인 ▶ {url_health}
    - [국민건강보험] 고객님의 본인부담금 환급금 {refund}원이 미수령 상태입니다. 신청 기한 {date}까지
      {url_health}
    - [{health}] 건강검진 결과 이상 소견이 있어 재검사가 필요합니다. 결과지 확인: {url_health}
    - [건강보험] 과오납 보험료 환급 대상자입니다. 환급 신청: {url_health}
    - [{health}] {masked_name}님 {date} 건강검진 결과지 발송 완료. 열람 {url_health}
    - ({health}) {year}년 건강검진 결과 안내 - 모바일 결과지 확인 {url_health}
    - [{health}] 고객님 앞으로 미환급 진료비 {refund}원이 확인되었습니다. 본인 확인 후 환급 {url_health}
    - [국민건강보험공단] 건강보험료 미납으로 자격 정지 예정입니다. 즉시 확인 바랍니다 {url_health}
    - [{health}]장기요양보험 환급금 조회 안내 {url_health}
    - 국민건강보험공단입니다. 건강검진 결과 확인은 전용 앱 설치 후 가능합니다 {url_apk}
    - [건강보험] 본인부담상한액 초과금 {refund}원 지급 대상 안내. 계좌 등록하기 {url_health}
    - [{health}] 건강검진 결과 {고위험|이상} 판정. 상세 내용 확인 및 재검 예약 {url_health}
"""),
    _SPOOFED_OFFICIAL,
    _OFFICIAL,
)

PUBLIC_PENSION = Family(
    "public_pension",
    PHISHING,
    parse_block(r"""
    - [{pension}] 미수령 연금 {refund}원이 확인되었습니다. 수령 신청 {url_pension}
    - [{pension}] 반환일시금 지급 대상자 안내. {date}까지 신청하지 않으면 소멸됩니다 {url_pension}
    - [{pension}] {masked_name}님 추납 보험료 환급 대상입니다 {url_pension}
    - [국민연금] 연금 수령 계좌 정보 오류로 지급이 보류되었습니다. 계좌 재등록: {url_pension}
    - [{pension}] 고객님의 연금 가입 내역에 변경 사항이 있습니다. 확인 바랍니다 {url_pension}
    - 국민연금공단 안내: 미지급 유족연금 {refund}원 조회 바랍니다 {url_pension}
    - [{pension}] {year}년 연금보험료 과오납금 환급 안내 - 환급액 {refund}원 {url_pension}
    - [국민연금] 노령연금 인상분 소급 지급 대상자로 확인되었습니다. 신청: {url_pension}
    - [{pension}] 미수령 연금 조회 결과 {refund}원 - 본인 인증 후 즉시 지급 {url_pension}
"""),
    _SPOOFED_OFFICIAL,
    _OFFICIAL,
    0.7,
)

PROSECUTOR = Family(
    "prosecutor",
    PHISHING,
    parse_block(r"""
    - [{prosecutor}] 귀하 명의의 계좌가 금융범죄 사건에 연루되어 조사가 필요합니다. 사건번호 {case_no}호
      담당 수사관
      {callback}
    - [{regulator}] 고객님 명의로 불법 대출 신청이 접수되었습니다. 본인이 아닐 경우 즉시 {callback}로 연락
      바랍니다.
    - [{police}] 귀하의 명의도용 피해 신고가 접수되었습니다. 출석요구서 확인: {url_gov}
    - [{prosecutor}] {name}님 대포통장 개설 관련 피의자로 입건되어 {date} 출석을 요구합니다. 문의 {callback}
    - [{regulator}] 고객님 계좌가 보이스피싱 사기에 이용되어 지급정지 예정입니다. 해제 신청 {url_gov}
    - {police}입니다. 귀하 명의 휴대폰이 범죄에 사용되어 수사 협조 요청드립니다. 연락 바랍니다 {callback}
    - [{prosecutor}] 사건조회 안내\n사건번호: {case_no}\n조회: {url_gov}
    - [검찰청] 귀하 앞으로 출석요구서가 발부되었습니다. 미출석시 {지명수배|체포영장 청구} 조치됩니다
      {url_gov}
    - [{regulator}] 귀하의 금융정보가 유출되어 안전계좌 이관이 필요합니다. 상담 {callback}
    - [{police}] 사이버범죄 신고 접수 알림 - 피해 확인을 위해 보안앱 설치 바랍니다 {url_apk}
    - 금융감독원 알림: {bank}에서 고객님 명의로 {amount_total}원 대출이 실행되었습니다. 본인 아니면
      {callback}
    - [{prosecutor}] 전자 공문 발송 - 피의자 신분 확인 바랍니다. 공문 열람 {url_gov}
    - [{police}] {name}님 명의 통장이 {사기|자금세탁} 사건 증거물로 확보되었습니다. 담당 {surname}수사관
      {callback}
    - [{prosecutor}] 약식명령 고지서 {송달|발송} 완료. 내용 확인 후 기한 내 이의 신청 {url_gov}
"""),
    _SPOOFED_OFFICIAL,
    _OFFICIAL,
)

COURT_NOTICE = Family(
    "court_notice",
    PHISHING,
    parse_block(r"""
    - [{court}] 전자소송 등기 송달 안내. 사건번호 {case_no} 소장 열람 {url_gov}
    - [법원] {name}님 앞으로 지급명령 결정문이 송달되었습니다. 확인: {url_gov}
    - [{court}] 귀하를 상대로 한 민사소송이 접수되었습니다. 소송 내용 확인 {url_gov}
    - [등기우편] 법원 특별송달 우편물 2회 반송되어 전자송달로 전환되었습니다. 열람 {url_gov}
    - [{court}] 압류 예정 통지 - 미이행 채무 관련. {date}까지 확인 요망 {url_gov}
    - [대법원] 전자소송 송달문서 미열람 상태입니다. 7일 경과 시 송달 간주됩니다 {url_gov}
    - 법원 등기 배달 불가 안내: 수취인 부재. 등기 내용 확인 및 재배송 신청 {url_gov}
    - [{court}] 변론기일 통지서 발송({date}). 출석하지 않으면 불이익이 있을 수 있습니다 {url_gov}
    - [{court}] 재산 가압류 결정문 송달 안내 사건번호 {case_no} {url_gov}
    - [{court}] {masked_name}님 소송 관련 등기가 반송되었습니다. 전자문서로 확인 바랍니다 {url_apk}
"""),
    _SPOOFED_OFFICIAL,
    _OFFICIAL,
    0.7,
)

TRAFFIC_FINE = Family(
    "traffic_fine",
    PHISHING,
    parse_block(r"""
    - [{traffic}] 교통범칙금 미납 고지서가 발송되었습니다. 납부기한 경과 시 가산금이 부과됩니다. 조회:
      {url_gov}
    - [{traffic}] 과태료 미납 안내 - 속도위반({date}) 과태료 {amount_small}원 {url_gov}
    - [경찰청] 교통법규 위반 사실 통지. 신호위반 단속 사진 확인 {url_gov}
    - [이파인] 고객님 차량 불법 주정차 과태료 부과 예정. 의견 진술 기한 {date} {url_gov}
    - [{traffic}] 미납 범칙금 {amount_small}원 - 미납 시 운전면허 정지 처분 예정 {url_gov}
    - [도로교통공단] 운전면허 적성검사 기간 만료 임박. 미갱신 시 과태료 부과 {url_gov}
    - [교통민원24] 무인단속 위반 고지 - 차량번호 {plate} 위반일 {date}. 확인 {url_gov}
    - [{traffic}] 귀하의 차량이 {place} 인근 CCTV에 단속되었습니다. 상세 내역 {url_gov}
    - [경찰청] 범칙금 납부 독촉 안내(2차). 기한 내 미납 시 즉결심판 회부 {url_gov}
    - [한국도로공사] 하이패스 통행료 미납 {amount_small}원 안내. {date}까지 납부 바랍니다 {url_gov}
    - [{traffic}] 교통위반 과태료 고지서(전자) 도착. 사진 및 납부 확인 {url_apk}
"""),
    _SPOOFED_OFFICIAL,
    _OFFICIAL,
)

GOV_REFUND = Family(
    "gov_refund",
    PHISHING,
    parse_block(r"""
    - [국세청] {year}년 귀속 종합소득세 환급금 {refund}원이 발생하였습니다. 홈택스 환급 신청 {url_gov}
    - [{tax}] 미수령 환급금 조회 결과 {refund}원 - 신청기한 {date} {url_gov}
    - [정부24] 정부지원금 지급 대상자로 선정되었습니다. 신청하기 {url_gov}
    - [정부24] {masked_name}님 민생회복 지원금 {amount_mid}원 지급 안내 {url_gov}
    - [행정안전부] 고유가 피해지원금 신청 대상자 안내 - 온라인 신청 {url_gov}
    - [홈택스] 연말정산 추가 환급금 {refund}원 지급 예정. 계좌 확인 바랍니다 {url_gov}
    - [국세청] 근로장려금 신청 안내 - 지급예정액 {refund}원 {url_gov}
    - [정부24] 주민등록 정보 변경 확인 요청 - 미확인 시 각종 혜택 제한 {url_gov}
    - [{tax}] 자동차세 과오납 환급금 {refund}원 조회 {url_gov}
    - [국세청] 세금 체납 안내: 미납 세액 {amount_mid}원, 납부기한 {date}. 미납 시 재산 압류 {url_gov}
    - [정부24] 재난지원금 미신청자 안내. {date} 마감 {url_gov}
    - (정부24) 전자문서 도착 - 국세 환급 통지서 열람 {url_gov}
    - [{tax}] {masked_name}님 환급 대상 세액 {refund}원. 본인 계좌 입력 후 3일 내 지급 {url_gov}
    - [{tax}] {masked_name}님은 {year}년 {민생회복|고물가} 소비쿠폰 지급 대상입니다. 수령 카드 선택 {url_gov}
    - 민생회복 지원금 {amount_mid}원 지급 확정 안내. 본인 인증 후 {지역화폐|카드 포인트}로 받기 {url_gov}
    - [{city}] 생활안정지원금 신청이 {date}에 종료됩니다. 대상 여부 조회 {url_gov}
    - [정부24] 지원금 중복 수령이 확인되어 {amount_mid}원 반납 대상입니다. 반납 계좌 확인 {url_gov}
    - [{tax}] {year}년 {자녀장려금|근로장려금} 추가 심사 결과 지급액 {refund}원. 수령 계좌 입력 {url_gov}
    - 소상공인 {에너지 바우처|전기요금 지원금} {amount_mid}원 신청 대상 안내 {url_gov}
"""),
    _SPOOFED_OFFICIAL,
    _OFFICIAL,
    1.1,
)

FAMILY_IMPERSONATION = Family(
    "family_impersonation",
    PHISHING,
    parse_block(r"""
    - 엄마 나 폰 액정 깨져서 수리 맡겼어 이 번호로 문자해줘
    - 엄마 바빠? 폰 고장나서 임시폰으로 연락하는거야 {emoji}
    - {아빠|엄마} 나야 폰이 고장나서 컴퓨터로 문자 보내 지금 통화 안되니까 카톡으로 얘기하자
    - 엄마 인증번호 하나 갈건데 그것 좀 알려줘 급해
    - 엄마 나 {gift_card} 10만원짜리 {count}장만 사서 핀번호 사진 찍어 보내줄 수 있어? 이따 갚을게
    - 엄마 신분증 앞면 사진이랑 카드 앞뒤 사진 좀 보내줘 {보험금 조회하려는데|폰 보험 청구하는데} 필요하대
    - 아빠 급하게 송금할 데가 있는데 내 계좌가 막혀서 그래 {amount_big}원만 이 계좌로 보내줄 수 있어?
    - 엄마 나 폰 수리 맡겨서 이 번호로 연락해 저장 안해도 돼. 지금 시간 돼?
    - 이모 저 {nick}이에요 폰 고장나서 친구 폰 빌렸어요 부탁 하나만 드려도 될까요
    - 엄마 폰 보험 처리하려는데 엄마 명의로 인증 받아야 된대 이 링크 눌러서 앱 하나만 깔아줘 {url_apk}
    - 엄마 지금 통화 안돼 카톡으로만 해 온라인 결제 좀 대신 해줄 수 있어?
    - 아들이야 폰 떨어뜨려서 액정 나갔어 ㅠ 급한거 있어서 그런데 엄마 카드 사진 보내줄래?
    - 엄마 내가 링크 보낼테니까 들어가서 엄마 정보 입력 좀 해줘 {short_url}
    - 엄마 {gift_card} 편의점에서 사서 뒤에 긁으면 번호 나오는데 그거 찍어서 보내줘 친구한테 급하게 줘야돼
    - 여보 나 폰 잃어버려서 동료 폰으로 연락해 급하게 {amount_mid}원 이체 좀 해줘 {bank} {account}
    - 엄마 나 문상 필요한데 {amount_mid}원어치만 사줄수있어?? 카드결제 안되서 그래ㅠㅠ
    - 아빠 나 지금 {회사라|수업중이라} 전화 못 받아 인증번호 문자 오면 그대로 보내줘
    - 엄마 원격으로 뭐 좀 해야 되는데 플레이스토어에서 '팀뷰어' 깔아줄래? 내가 알려줄게
    - 엄마 나 {nick}인데 폰 액정이 나가서 {pc방|친구폰}으로 연락해 내 번호로 전화하지마 안받아져
    - 엄마 지금 {gift_card} 살 수 있어? {count}0만원만 부탁해 오늘 안에 꼭 필요해서 그래
    - 딸이야~ 폰 고장나서 임시번호야 엄마 명의로 폰 개통 좀 해야돼서 신분증이랑 통장 사진 보내줘
"""),
    _MESSENGER,
    (("chat", 0.85), ("sms", 0.15)),
    1.5,
)

LOAN = Family(
    "loan",
    PHISHING,
    parse_block(r"""
    - (광고)[{bank}] 정부지원 저금리 대환대출 안내\n한도 {loan_limit} 금리 연 {rate}~\n기대출 과다자도
      가능\n상담
      {callback}\n무료거부 {toll_free}
    - [햇살론] 정부지원 서민대출 승인 대상자로 선정되셨습니다. 한도 {loan_limit} 금리 {rate} 신청 {url_loan}
    - (광고) 신용점수 무관 무직자 주부 대출 당일 입금 {callback}
    - [{bank}] 고객님은 {date} 기준 저금리 전환대출 사전 승인 대상입니다. 상담 {callback}
    - [서민금융진흥원] 햇살론 특례보증 추가 접수. 기존 고금리 대출 대환 가능 {url_loan}
    - (광고) 기존대출 상환용 대환대출 {rate} 최저금리 보장. 한도조회 {url_loan}
    - [{bank}] 소상공인 긴급 지원 대출 신청기간 안내. 최대 {loan_limit} 무담보 {callback}
    - 고객님 대출 승인이 완료되었습니다. 본인 확인 후 당일 입금 처리됩니다. 상담원 {mobile}
    - (광고)[{bank}] 서민 생활안정자금 정부지원 대출 {date}까지 선착순 접수. 카톡 상담 ID: {kakao_id}
    - [{bank}] 기존 대출 상환 이력 확인 후 추가 대출 가능. 신용등급 상향 작업 비용 {amount_mid}원 선입금
      필요
    - (광고) 연체자 신불자 가능 비대면 대출 {loan_limit} 즉시 승인 {url_loan}
    - [새희망홀씨] 정부 보증 대출 대상자 선정 안내. 금리 {rate} 고정 - 상담 신청 {url_loan}
    - [{bank}] 대출 금리 인하 요구권 대상자 안내. 앱 설치 후 신청 {url_apk}
    - (광고) 급전 필요하신 분 ★ 당일 {loan_limit}까지 ★ 서류 간소화 ★ 문의 {internet_phone}
    - [{bank}] {masked_name}님 정부지원 {햇살론|안전망 대출|새희망홀씨} 한도 {loan_limit} 승인 완료. 수령 전
      본인확인
      {callback}
"""),
    _ADVERTISER,
    (("web", 0.55), ("sms", 0.3), ("intl", 0.15)),
    1.2,
)

INVESTMENT = Family(
    "investment",
    PHISHING,
    parse_block(r"""
    - [VIP 리딩방] 무료 종목 추천 이벤트! 지난주 수익률 {percent}% 달성 ▶ {open_chat}
    - 내일 상한가 예정 종목 무료 공개합니다. 선착순 30명 {open_chat}
    - (광고) AI 자동매매 월 수익 {percent}% 보장 원금 손실시 100% 보상 {url_invest}
    - [{securities}] 제휴 VIP 고객 전용 공모주 청약 안내. 확정 수익 보장 상담 카톡 {kakao_id}
    - {coin} 상장 전 프리세일 참여자 모집! 상장 후 최소 {percent}% 수익 예상 텔레그램 {telegram_id}
    - [{securities}] 고객님 계좌 손실 복구 프로그램 무료 제공. 손실금 100% 복구 {url_invest}
    - {stock} 다음 타자 급등 예정주 무료 공유합니다. 세력 매집 완료 ▶ {open_chat}
    - (광고) 주식 리딩 전문가 {name} 교수 무료 강의. 3개월 수익률 {percent}% 인증 {url_invest}
    - 안녕하세요 {name} 팀장입니다. 지난번 상담하신 코인 투자 건 수익금 출금 가능하십니다. 출금 신청
      {url_invest}
    - [코인 에어드랍] {coin} 무료 지급 이벤트 당첨! 지갑 연결 후 수령 {url_invest}
    - 해외선물 원금보장 수익 {percent}% 매일 수익 인증! 체험방 입장 {open_chat}
    - [{exchange}] 제휴 이벤트 - 신규 코인 선착순 배정. 카톡 {kakao_id}
    - (광고) 급등주 알림방 무료 입장 ▶ 하루 수익 {amount_mid}원 ▶ 텔레그램 {telegram_id}
    - 주린이도 가능! 하루 10분 {percent}% 수익 인증방 {open_chat} 무료거부 {toll_free}
    - [{securities} 제휴] 비상장주 {stock} 우선 배정 - 상장 시 {percent}% 차익 확정 {url_invest}
"""),
    _ADVERTISER,
    (("web", 0.45), ("sms", 0.35), ("intl", 0.2)),
    1.1,
)

OVERSEAS_PAYMENT = Family(
    "overseas_payment",
    PHISHING,
    parse_block(r"""
    - [해외결제] {card} {amount_big}원 승인({merchant}) 본인 아닐 시 문의 {callback}
    - [{card}] 해외승인 {masked_name}님 {amount_big}원 {merchant} 결제완료. 본인 미사용 시 {callback}로 신고
    - 해외결제 승인 {amount_big}원 정상처리 완료. 본인이 아닌 경우 소비자보호센터 {callback}
    - [국제결제] {date} {time} {merchant} {amount_big}원 승인. 본인결제 아닐시 즉시 {callback}
    - {card}({card_tail}) 해외승인 {amount_big}원 일시불 {merchant} 본인아님 신고 {callback}
    - [해외직구] {merchant} 주문 결제 {amount_big}원 완료. 주문 취소 문의 {callback}
    - 결제 완료 {amount_big}원 {merchant} 해외 직구. 본인 결제 아닐 경우 결제 취소 {url_card}
    - [{card}] 고객님 카드가 해외에서 {amount_big}원 결제 시도되었습니다. 도용 의심 시 카드정지 신청
      {url_card}
    - [승인] {masked_name} {amount_big}원 {merchant} 해외 누적 {amount_total}원. 본인 아닐시 {callback}
    - [{card}] 해외 원화결제 {amount_big}원 승인완료 - 부정사용 신고 {callback}(24시간)
    - 해외 쇼핑몰 {merchant} 결제 {amount_big}원이 처리되었습니다. 문의: {callback}
    - {masked_name}님 {card} 체크카드 해외승인 {amount_big}원({date}) 본인 아닐 경우 고객센터 {callback}
    - [{card}] {merchant} {amount_big}원 결제 승인. 본인이 아니면 {callback}로 연락 주시면 즉시 취소해
      드립니다
    - {card} 해외 이용 {merchant} USD {usd_big} 정상 처리. 이용하지 않으셨으면 {callback}
    - [{merchant}] 주문번호 {digits} 결제금액 ${usd_big}. 주문하지 않았다면 {callback}로 취소하세요
    - 국외 카드 결제 {amount_big}원({merchant}) 완료 - 본인 확인이 필요하면 {callback}
    - [해외승인] {masked_name} USD {usd_big} {merchant} 누적 {amount_total}원 부정결제 신고 {callback}
"""),
    _SPOOFED_OFFICIAL,
    (("intl", 0.6), ("web", 0.3), ("sms", 0.1)),
    1.3,
)

ACCOUNT_ALERT = Family(
    "account_alert",
    PHISHING,
    parse_block(r"""
    - [{bank}] 고객님 계좌에서 비정상 로그인이 감지되어 이용이 제한되었습니다. 보안인증: {url_bank}
    - [{exchange}] 해외 IP 로그인 시도 감지. 본인이 아닐 경우 즉시 계정 보호 {url_exchange}
    - [{platform}] 새로운 기기에서 로그인되었습니다. 본인이 아니라면 비밀번호를 변경하세요 {url_account}
    - [{bank}] OTP 인증 만료로 전자금융 거래가 정지될 예정입니다. 재인증 {url_bank}
    - [{bank}] 보안 등급 하향 조치로 이체 한도가 제한되었습니다. 보안 인증 후 해제 {url_bank}
    - [{exchange}] 출금 요청 {amount_total}원이 접수되었습니다. 본인 요청 아닐 시 취소 {url_exchange}
    - [{platform}] 계정 정지 예정 안내 - 이용약관 위반 신고 누적. 이의 신청 {url_account}
    - [{bank}] 공동인증서 폐기 예정입니다. 재발급 신청 {url_bank}
    - [{bank}] {masked_name}님 계좌 지급정지 예정 - 본인 확인 필요 {url_bank}
    - [{card}] 카드 보안 업데이트 필요 - 미진행 시 결제 제한 {url_card}
    - [{platform}] 고객님 계정이 해킹 시도로 보호조치 되었습니다. 본인확인 {url_account}
    - [{exchange}] KYC 재인증 필요 - {date}까지 미인증 시 자산 출금 제한 {url_exchange}
    - [{bank}] 개인정보 유출 감지. 보안 강화를 위해 앱 재설치 필요 {url_apk}
    - [Apple] Apple ID가 잠겼습니다. 잠금 해제: {url_account}
    - [{bank}] 휴면계좌 전환 예정. {date} 이전 본인 인증 시 유지됩니다 {url_bank}
    - [{telecom}] 해킹 사고 관련 고객님 유심 {교체|점검} 순서가 되었습니다. 매장 예약 {url_telecom}
    - [{telecom}] 복제폰 피해 예방을 위해 {유심 잠금|명의 보호} 설정이 필요합니다 {url_telecom}
    - [{platform}] {masked_name}님 계정이 정책 위반으로 {count}일 후 삭제됩니다. 소명하기 {url_account}
    - [{bank}] 고객님 계좌가 전기통신금융사기 피해 신고로 지급정지 되었습니다. 이의 제기 {url_bank}
    - [{platform}] 낯선 기기({place}) 접속 감지. 계정 잠금 해제 {url_account}
"""),
    _SPOOFED_OFFICIAL,
    _WEB_OR_INTL,
    1.2,
)

INVITATION = Family(
    "invitation",
    PHISHING,
    parse_block(r"""
    - 모바일 청첩장 보내드려요 ♡ 꼭 와주세요 {url_invite}
    - [부고] {surname}OO님 부친상 - 장례식장 안내 {url_invite}
    - 저희 {date}에 결혼합니다. 모바일 청첩장 확인 부탁드려요 {url_invite}
    - [부고] 故 {name}님께서 별세하셨기에 삼가 알려드립니다. 빈소 및 발인 일정 {url_invite}
    - 우리 아이 첫 돌잔치에 초대합니다 ^^ 초대장 {url_invite}
    - {name} ♥ {other_name} 결혼식에 초대합니다. 위치 및 일정 {url_invite}
    - [부고] 모친상 알려드립니다. 조문 장소 확인 {url_invite}
    - 안녕하세요 저희 결혼합니다 💍 바쁘시더라도 참석 부탁드립니다 {url_invite}
    - [돌잔치] {date} {hour} 초대장 보내드립니다 ▶ {url_apk}
    - 청첩장 모바일로 보냈어요~ 확인해주세요 {url_apk}
    - [訃告] {surname}OO 본인상 장례식장 {url_invite}
    - (부고) 회사 동료 {name}님 빙부상 안내드립니다 {url_invite}
    - 결혼식 사진 공유드려요~ 와주셔서 감사했습니다 {url_invite}
    - [초대] {name}의 집들이에 초대합니다 위치는 링크 확인 {short_url}
    - 오랜만이야! 나 결혼해~ 청첩장 보내 {url_invite}
    - {name}, {other_name} 두 사람이 {date} 결혼합니다. 초대장 열기 {url_invite}
    - 💌 모바일 초대장 - 터치해서 열어보세요 {url_invite}
    - 그동안 감사했습니다. 저희 새 출발을 알려드려요 {short_url}
    - [부고] {name}님 {부친|모친|장인|장모} 상 알림. 조문 안내 {url_invite}
    - 삼가 고인의 명복을 빕니다. {surname}OO 님 장례 일정 안내 {url_invite}
    - 울 {nick} 돌 기념 사진 모음이랑 잔치 안내 보내요~ {url_invite}
"""),
    _THROWAWAY,
    (("web", 0.35), ("sms", 0.45), ("intl", 0.2)),
    1.1,
)

PRIZE_REFUND = Family(
    "prize_refund",
    PHISHING,
    parse_block(r"""
    - [이벤트] 축하합니다! {shop} 고객 감사 이벤트 {product} 당첨. 배송비 {amount_fee}원 결제 후 수령
      {url_prize}
    - [OK캐쉬백] 포인트 {amount_small}점 금일 소멸 예정. 사용하기 {url_prize}
    - [{telecom}] 고객님 통신요금 과오납 환급금 {refund}원 발생. 환급 신청 {url_telecom}
    - [{shop}] 아메리카노 무료 쿠폰이 도착했습니다 {url_prize}
    - [L.POINT] 소멸 예정 포인트 {amount_small}P 현금 전환 가능 {url_prize}
    - 축하드립니다! {date} 경품 추첨 1등 당첨자로 선정되었습니다. 제세공과금 {amount_mid}원 입금 후 수령
      가능
    - [{card}] 카드 포인트 {amount_small}P 소멸 예정 - 기한 내 상품권 교환 {url_card}
    - [{shop}] 고객님 {amount_small}원 할인쿠폰 지급 완료! 오늘 자정 소멸 {short_url}
    - [국민지원] 미사용 통신 포인트 {refund}원 환급 안내 {url_prize}
    - [설문 이벤트] 참여만 해도 {product} 100% 증정 {url_prize}
    - [{platform}] 럭키드로우 당첨을 축하드립니다. 본인 인증 후 경품 수령 {url_prize}
    - 고객님은 {shop} VIP 사은품 대상입니다. 수령 주소 입력 {url_prize}
    - [{telecom}] 장기고객 감사 데이터 쿠폰 & {product} 증정 {url_telecom}
    - [{shop}] {amount_small}원 모바일 상품권 당첨! 3일 내 미등록 시 자동 소멸 {url_prize}
    - [{membership}] {masked_name}님 {amount_small}P가 {date}에 사라집니다. 지금 {상품권|현금}으로 바꾸세요
      {url_prize}
    - [{airline}] 회원님 마일리지 유효기간이 이번 달 끝납니다. 남은 마일리지 확인 {url_prize}
    - {membership} 포인트 {amount_small}점 {기프티콘|모바일 상품권} 교환 마감 임박 {short_url}
    - [{shop}] 구매 감사 적립금 {amount_small}원 지급. {count}일 후 자동 소멸 {url_prize}
    - 잠자는 {membership} 포인트 {amount_small}P 찾아가세요 ▶ {url_prize}
"""),
    _THROWAWAY,
    _WEB_OR_INTL,
    1.1,
)

JOB_AD = Family(
    "job_ad",
    PHISHING,
    parse_block(r"""
    - 재택부업 하루 1~2시간 일급 {pay_day}만원 보장 ⭐ 텔레그램 {telegram_id}
    - (광고) 쇼핑몰 리뷰 알바 모집 건당 {amount_small}원 즉시 지급 카톡 {kakao_id}
    - 유튜브 구독/좋아요 알바 건당 3천원 하루 {pay_day}만원 가능 {open_chat}
    - [채용] 고수익 단기 알바 - 서류 전달 업무 일당 {pay_day}만원 문의 {telegram_id}
    - 주부 학생 누구나 가능한 폰으로 하는 부업 월 {count}00만원 {url_job}
    - 안녕하세요 {company} 인사팀입니다. 재택 근무 가능한 데이터 입력 직원을 모집합니다 카톡ID {kakao_id}
    - 고액 알바 ★ 현금 수거 및 전달 ★ 당일 지급 ★ 텔레 {telegram_id}
    - [구인] 해외 구매대행 부업 선입금 후 수익금 {percent}% 지급 {open_chat}
    - 상품 구매 후 리뷰 작성 알바 원금+수수료 즉시 환급 카톡 {kakao_id}
    - 호텔 평점 올리기 알바 하루 30분 {pay_day}만원 텔레그램 {telegram_id}
    - [모집] 계좌 대여 시 월 {amount_mid}원 지급. 통장 임대 문의 {telegram_id}
    - 꿀알바 구합니다 출퇴근 없이 스마트폰으로 일 {pay_day}만원↑ {url_job}
    - (광고)[{company}] 재택 상담원 모집 시급 {amount_small}원 텔레그램 {telegram_id} 수신거부 {toll_free}
    - 안녕하세요 헤드헌터 {name}입니다. 부업 관련 안내드릴게 있어 연락드렸어요. 카톡 {kakao_id} 추가해주세요
"""),
    _ADVERTISER,
    (("web", 0.4), ("sms", 0.4), ("intl", 0.2)),
    1.1,
)

APP_INSTALL = Family(
    "app_install",
    PHISHING,
    parse_block(r"""
    - [보안] 고객님 휴대폰에서 악성코드가 감지되었습니다. 백신앱 설치: {url_apk}
    - [{police}] 사이버수사 협조를 위해 보안 앱 설치 바랍니다 {url_apk}
    - [{courier}] 배송 조회 전용 앱 설치 후 주소 확인 가능 {url_apk}
    - [{bank}] 보안 강화 앱 업데이트 필수. 미설치 시 거래 제한 {url_apk}
    - [정부24] 전자문서 열람 전용 앱 설치 {url_apk}
    - 택배 보관중 - 조회 앱 다운로드 {url_apk}
    - [{health}] 건강검진 결과는 전용 앱에서만 확인 가능합니다 {url_apk}
    - [안내] {app} 앱 신규 버전 배포. 기존 앱 삭제 후 설치 {url_apk}
    - {app} 앱 설치 후 확인 가능합니다 {url_apk}
    - [{card}] 부정사용 방지 앱 설치 안내(필수) {url_apk}
    - [금융보안원] 사용 중인 폰에 원격조정 앱 감지. 제거 도구 설치 {url_apk}
    - 설정에서 '출처를 알 수 없는 앱' 허용 후 설치해주세요 {url_apk}
"""),
    _THROWAWAY,
    _WEB_OR_INTL,
    0.9,
)

SECONDHAND = Family(
    "secondhand",
    PHISHING,
    parse_block(r"""
    - {secondhand} 보고 연락드려요~ 네이버페이 안전결제로 진행할게요 여기서 결제해주세요 {url_pay}
    - 안전결제 링크 보내드릴게요 택배거래로 진행하시죠 {url_pay}
    - [네이버페이] 안전거래 결제 대기중. 판매자 확인 후 입금 확인 {url_pay}
    - 구매자가 대금 {amount_mid}원을 안전결제로 입금했습니다. 판매자 인증 후 정산 {url_pay}
    - 제가 지방이라 직거래는 어렵고 {secondhand} 안전결제 링크로 할게요 이거 눌러서 계좌 입력하시면 돼요
      {url_pay}
    - [번개장터] 안전결제 수수료 미납으로 거래가 보류되었습니다. 수수료 {amount_fee}원 입금 후 진행
      {url_pay}
    - 판매자님 입금 완료했는데 확인 안되시죠? 은행 오류래요 이 링크에서 판매 확인 누르시면 돼요 {url_pay}
    - {product} 아직 있나요? 바로 구매할게요 앱 채팅이 안돼서 카톡 {kakao_id}로 연락 주세요
    - [{secondhand}] 고객님 거래 대금 {amount_mid}원이 에스크로에 보관중입니다. 수령 계좌 등록 {url_pay}
    - 구매하신 {product} 결제 금액이 한도 초과로 보류됐어요 추가 입금하시면 한꺼번에 환불된대요 {url_pay}
    - 안전결제 하려는데 수수료는 제가 낼게요 판매자 등록 먼저 해주세요 {url_pay}
"""),
    _MESSENGER,
    (("chat", 0.6), ("sms", 0.4)),
    0.9,
)

MICROPAYMENT = Family(
    "micropayment",
    PHISHING,
    parse_block(r"""
    - [{telecom}] 휴대폰 소액결제 {amount_mid}원 결제완료(게임아이템). 본인 아닐 시 취소요청 ☎ {callback}
    - [소액결제] {date} {amount_mid}원 정상 승인 되었습니다. 미요청 시 {callback}
    - [{telecom}] 콘텐츠 이용료 {amount_mid}원 결제 예정. 결제 취소 {url_telecom}
    - [휴대폰결제] {merchant} {amount_mid}원 결제. 본인 결제 아니면 고객센터 {callback}
    - [{telecom}] {masked_mobile} 고객님 정보이용료 {amount_mid}원 청구 예정 - 차단 {url_telecom}
    - [결제알림] 모바일 상품권 {amount_mid}원 구매 완료. 본인 아닐 경우 즉시 취소 {url_telecom}
    - [{telecom}] 휴대폰 요금 미납으로 {date} 발신 정지 예정. 납부: {url_telecom}
    - [다날] 휴대폰 결제 {amount_mid}원 승인. 결제 취소 문의 {callback}
    - [{telecom}] 해외 로밍 요금 {amount_big}원 청구. 이의신청 {url_telecom}
    - 고객님 휴대폰 결제 {amount_mid}원 완료(구글플레이). 본인 아닐 시 {callback}
    - [{telecom}] 소액결제 한도 {amount_mid}원 초과 사용 감지. 명의도용 신고 {callback}
"""),
    _SPOOFED_OFFICIAL,
    _WEB_OR_INTL,
)

CARD_ISSUANCE = Family(
    "card_issuance",
    PHISHING,
    parse_block(r"""
    - [{card}] {masked_name}님 요청하신 {신용카드|체크카드|후불교통카드} 제작이 끝나 {date} 배달됩니다. 문의
      {callback}
    - {card} 카드 전달 예정 안내입니다. 카드를 신청한 적이 없으면 상담실 {callback}로 바로 알려주세요
    - [{card}] 온라인 카드 신청서가 접수되었습니다({date} {time}). 명의 확인 {callback}
    - 안녕하세요 {card} 배송 담당입니다 {masked_name}님 카드 {hour} 도착 예정입니다 수령이 어려우시면 {callback}
    - [{card}] 카드 {분실|재발급} 신고가 들어왔습니다. 직접 하신 게 아니면 {callback}
    - [{bank}] 비대면 계좌 개설과 체크카드 신청이 {masked_name}님 명의로 들어왔습니다. 확인 {callback}
    - [{card}] 가족카드 추가 발급 완료. 카드 받으실 분 확인이 필요합니다 {callback}
    - [{card}] 신규 카드 등록 알림 - 직접 신청한 카드가 아니면 {callback}(24시간 상담)
    - {card} 발급 심사 승인. 카드 수령 전 본인 확인 전화 {callback}
"""),
    _SPOOFED_OFFICIAL,
    (("web", 0.5), ("sms", 0.35), ("intl", 0.15)),
    0.9,
)

ACQUAINTANCE = Family(
    "acquaintance",
    PHISHING,
    parse_block(r"""
    - {nick}아 나야 톡으로만 얘기하자 부탁할 게 있는데 {amount_big}원 좀 잠깐 융통해줄 수 있어? 모레 꼭 줄게
    - 이거 내 새 번호야 저장해줘~ 그리고 {gift_card} 좀 대신 사줄 수 있을까?
    - {선배|형|언니} 저 {nick}인데요 지금 은행 업무가 막혀서 {amount_mid}원만 먼저 보내주실 수 있나요
    - 저 {surname}{과장|차장}입니다 회의 들어가야 해서 문자로 드려요 {bank} {account}로 {amount_big}원 먼저 처리
      부탁합니다
    - 카톡 계정이 정지돼서 이 번호로 연락해 급하게 송금할 데가 있는데 도와줄 수 있어?
    - 사장님 {name}입니다 거래처 대금 결제가 급한데 제 인증서가 만료돼서요 {amount_big}원만 대신 보내주세요
    - {nick}아 미안한데 {amount_mid}원만 빌려줘 내 카드가 정지됐어 {bank} {account}
    - 해외 출장 중이라 이 번호로 연락해요 {gift_card} {count}장 사서 번호만 보내줄 수 있어?
    - 예전 번호는 못 써 이 번호로 톡 추가해줘 그리고 잠깐 부탁 하나만 들어줄래
    - 폰 분실해서 임시번호야 {amount_mid}원 결제가 급한데 네 카드로 해주면 바로 갚을게
"""),
    _MESSENGER,
    (("chat", 0.8), ("sms", 0.2)),
    1.0,
)

PUBLIC_NOTICE = Family(
    "public_notice",
    PHISHING,
    parse_block(r"""
    - [{city}] 생활쓰레기 {종량제 봉투 미사용|불법 투기} 적발 - 과태료 {amount_small}원 부과 예정 {url_gov}
    - [{city} 자원순환과] 무단투기 CCTV 단속 내역 통지. 사진 확인 및 이의 신청 {url_gov}
    - [한국전력공사] {masked_name}님 댁 전기요금이 {count}개월 연체되었습니다. 공급 정지 전 확인 {url_gov}
    - [{city} 가스] 가스 누출 점검 {미완료|거부} 세대 통보. 점검일 다시 잡기 {url_gov}
    - [국민권익위원회] 귀하가 피신고인으로 된 신고 건이 있습니다. 내용 열람 {url_gov}
    - [{city}] 예비군 {동원훈련|기본훈련} 불참 확인서 발송. 사유서 제출 {url_gov}
    - [{city}] 지방세 {재산세|자동차세} {amount_mid}원 체납 통지. 압류 예고 {url_gov}
    - [{city} 수도사업소] 수도 계량기 교체 대상 세대 안내 - 방문 예약 {url_gov}
    - [{city}] 전입 세대 확인 조사 미응답 세대입니다. 온라인 응답 {url_gov}
    - [{city}] 주정차 위반 {amount_small}원 부과 전 의견 제출 안내 {url_gov}
"""),
    _SPOOFED_OFFICIAL,
    _OFFICIAL,
    0.9,
)

MESSENGER_ACCOUNT = Family(
    "messenger_account",
    PHISHING,
    parse_block(r"""
    - [텔레그램] 회원님의 계정이 다른 기기에서 로그인 시도되었습니다. 계정 보호를 위해 인증하세요 {url_account}
    - Telegram 보안 알림: 계정 삭제 요청이 접수되었습니다. 본인이 아니면 {count}시간 내 취소 {url_account}
    - [카카오톡] 고객님 계정이 {date} 이용 제한 예정입니다. 보호조치 해제 {url_account}
    - 텔레그램 프리미엄 무료 이용권 당첨! 로그인 후 받기 {short_url}
    - [카카오] 새로운 기기에서 카카오톡 로그인 확인 요청. 본인 아닐 경우 즉시 차단 ▶ {url_account}
    - 안녕하세요 텔레그램 고객지원팀입니다. 인증 코드를 보내드렸으니 이 대화창에 입력해 주세요
    - 지인인데 텔레그램 계정 인증하는 것 좀 도와줘 너 폰으로 간 코드 6자리만 알려주면 돼
    - [네이버] 해외 IP에서 로그인이 감지되었습니다. 비밀번호 변경 {url_account}
    - 카톡 계정 휴면 전환 예정 안내 - 계속 사용하려면 인증 {url_account}
    - [Telegram] Your account will be deleted. Verify now: {url_account}
    - 텔레 계정 정지 해제 신청서 작성 부탁드립니다 {url_account}
    - [카카오톡] 보안 업데이트가 필요합니다. 최신 버전 설치 ▶ {url_apk}
    - 너 텔레그램 해? 내가 초대 링크 보냈는데 로그인 한번 해줘 {short_url}
    - [WhatsApp] 계정 확인 코드를 잘못 보냈어요 다시 알려줄 수 있어요? 급해요
    - 카카오톡 PC버전 로그인 요청이 있습니다. 본인이 아니라면 아래에서 차단해 주세요 {url_account}
"""),
    _MESSENGER,
    (("chat", 0.5), ("web", 0.3), ("intl", 0.2)),
    0.9,
)

GAMBLING = Family(
    "gambling",
    PHISHING,
    parse_block(r"""
    - (광고) 첫충 {count}0% 매충 10% 메이저 놀이터 가입코드 {nick_roman} {short_url}
    - 신규 가입시 {count}만P 지급 ⚽ 스포츠 실시간 바카라 {url_invest}
    - 먹튀 없는 안전 카지노 신규 보너스 지급 텔레 {telegram_id}
    - [VIP] 회원님 전용 슬롯 이벤트 입금 플러스 {count}0% {url_invest}
    - 토토 픽 무료 공유방 적중률 9{count}% 입장 {open_chat}
    - 홀짝 파워볼 1일 수익 {pay_day}만원 인증 - 카톡 {kakao_id}
    - (광고) 환전 빠른 메이저 사이트 추천 무료거부 {toll_free} {short_url}
    - 오늘 경기 무료 분석 픽 드립니다. 회원님만 입장 가능한 VIP방 {url_invest}
    - [이벤트] 출석만 해도 매일 {count}만 포인트, 신규 첫 입금 2배 지급 가입 ▶ {short_url}
"""),
    _ADVERTISER,
    (("sms", 0.5), ("web", 0.3), ("intl", 0.2)),
    0.5,
)


FAMILIES: tuple[Family, ...] = (
    PARCEL,
    PARCEL_CUSTOMS,
    PUBLIC_HEALTH,
    PUBLIC_PENSION,
    PROSECUTOR,
    COURT_NOTICE,
    TRAFFIC_FINE,
    GOV_REFUND,
    FAMILY_IMPERSONATION,
    LOAN,
    INVESTMENT,
    OVERSEAS_PAYMENT,
    ACCOUNT_ALERT,
    INVITATION,
    PRIZE_REFUND,
    JOB_AD,
    APP_INSTALL,
    SECONDHAND,
    MICROPAYMENT,
    CARD_ISSUANCE,
    ACQUAINTANCE,
    PUBLIC_NOTICE,
    MESSENGER_ACCOUNT,
    GAMBLING,
)
