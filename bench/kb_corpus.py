"""Generated articles for the search benchmark: a city-sized base of plausible distractors.

They use the same vocabulary as real articles (신청, 납부, 발급, 요금, 주민센터,
누리집 ...) about services the seed articles do not cover, so a search that
only matches common words drowns, and one that matches what the question is
about still finds the seed article.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from ivr.kb.article import Article
from ivr.kb.lifecycle import ArticleStatus

PLACES = (
    "완산구 덕진구 효자동 송천동 인후동 평화동 서신동 삼천동 중앙동 풍남동 "
    "혁신도시 에코시티 만성동 우아동 호성동 금암동 진북동 팔복동 동산동 조촌동"
).split()
SERVICES = [
    ("도서관 회원증", "documents"), ("평생학습 강좌", "general"), ("체육관 대관", "general"),
    ("예방접종", "welfare"), ("반려동물 등록", "documents"), ("공공자전거 대여", "transport"),
    ("문화행사 예약", "general"), ("청년 월세 지원", "welfare"), ("경로당 운영", "welfare"),
    ("어린이집 입소", "welfare"), ("농산물 직거래 장터", "general"), ("전기차 충전소", "transport"),
    ("버스 노선 변경", "transport"), ("택시 승강장", "transport"), ("지하수 관정", "water"),
    ("빗물 저류시설", "water"), ("등록면허세", "local_tax"), ("주민세 사업소분", "local_tax"),
    ("레저세", "local_tax"), ("담배소비세", "local_tax"), ("옥외광고물 허가", "documents"),
    ("건축물대장 열람", "documents"), ("토지이용계획 확인", "documents"), ("노인 일자리", "welfare"),
    ("한부모 가족 지원", "welfare"), ("다문화 가족 상담", "welfare"), ("하천 정비", "water"),
    ("가로등 고장", "general"), ("도로 파손", "transport"), ("보도블록 정비", "transport"),
]  # fmt: skip
ACTIONS = ["신청 방법", "이용 시간", "요금 안내", "준비 서류", "변경과 취소", "위치 안내", "접수 기간",
           "환불 기준", "자주 묻는 질문", "처리 절차"]  # fmt: skip
SENTENCES = [
    "{service}은(는) {place} 주민센터와 전주시 누리집에서 {action}을(를) 안내해 드립니다.",
    "신청은 평일 오전 9시부터 오후 6시까지 받으며, 신분증을 가지고 오셔야 합니다.",
    "수수료는 {n},000원이며 현금이나 카드로 내실 수 있습니다. (예시: 실제 금액으로 바꾸십시오)",
    "처리에는 보통 {d}일이 걸리며, 결과는 문자로 알려 드립니다.",
    "{place}에 사시는 분은 가까운 행정복지센터로 문의하시면 담당 부서로 연결해 드립니다.",
    "기간이 지나면 다음 회차에 다시 신청하셔야 합니다.",
    "대리인이 신청하실 때는 위임장과 대리인의 신분증이 필요합니다.",
    "자세한 내용은 담당 부서의 공고문을 확인해 주십시오.",
    "온라인 신청은 누리집 회원 가입 후 본인 인증을 거쳐 하실 수 있습니다.",
    "요금 납부는 가상계좌나 카드로 하실 수 있으며 영수증을 보관해 주십시오.",
]
DEPARTMENTS = {"documents": "civil-affairs", "transport": "transport", "local_tax": "tax",
               "welfare": "welfare", "water": "water", "general": "general-affairs"}  # fmt: skip


def generated_articles(count: int, rnd: random.Random) -> Iterator[Article]:
    """`count` published articles, the same for the same seed of `rnd`."""
    for n in range(count):
        place = rnd.choice(PLACES)
        service, topic = rnd.choice(SERVICES)
        action = rnd.choice(ACTIONS)
        lines = [
            s.format(place=place, service=service, action=action, n=rnd.randint(1, 30), d=rnd.randint(3, 14))
            for s in rnd.sample(SENTENCES, rnd.randint(3, 6))
        ]
        yield Article(
            slug=f"gen-{n:05d}",
            title=f"{place} {service} {action}",
            body="\n\n".join(lines),
            topics=(topic,),
            department=DEPARTMENTS[topic],
            keywords=(service, action, place),
            status=ArticleStatus.PUBLISHED,
        )
