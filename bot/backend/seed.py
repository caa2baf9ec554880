"""Demo data for a newcomer: `python -m bot.backend.seed` (runs once; skips when parcels already exist).

Deterministic (fixed random seed): the same tracking numbers, customers and tickets on every machine, so the
README can list parcels to try. Times are relative to the moment of seeding, so timelines look current.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.backend.clock import local_today, to_local, utcnow
from bot.backend.db import new_session, run_migrations
from bot.backend.models import (
    Claim,
    ClaimStage,
    Complaint,
    ComplaintStage,
    ConversationEvent,
    Customer,
    Parcel,
    ParcelEvent,
    Rating,
)
from bot.backend.services import pod_photos, quotes
from bot.backend.services.compensation import compensation_cap
from bot.backend.services.numbering import next_value
from bot.backend.services.places import Place
from bot.backend.services.tariff import tariff
from bot.backend.services.working_days import add_working_days
from bot.settings import get_settings
from bot.vocabulary import geography
from bot.vocabulary.handoff_reasons import HandoffReason
from bot.vocabulary.ticket_numbers import CLAIM, COMPLAINT

SEED = 20261123
GENERATED_PARCELS = 320
STATUSES = ("collected", "in_transit", "at_hub", "out_for_delivery", "delivered", "exception", "delayed",
            "returned")
# The courier's transfer hubs; parcels pass the hub of their province when there is one.
HUB_CITIES = ("北京", "上海", "广州", "深圳", "杭州", "南京", "武汉", "成都", "重庆", "西安", "郑州", "沈阳",
              "长沙", "济南", "合肥", "福州", "昆明", "南宁", "哈尔滨", "乌鲁木齐", "兰州", "石家庄", "南昌",
              "贵阳", "太原", "呼和浩特", "长春", "天津", "西宁", "拉萨", "银川", "海口")
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "建华", "晓东", "海燕", "志强", "婷婷", "雨轩", "子涵", "浩然", "欣怡", "俊杰")
ROADS = ("人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "文化路", "长江路", "黄河路", "光明路",
         "学府路", "科技路", "创业路", "滨江路", "南京路")
PLACES = ("花园小区", "阳光小区", "幸福里", "锦绣家园", "国际大厦", "科技园", "商务中心", "翠苑", "东方花园")
MANAGERS = (("周经理", "13900001111"), ("吴经理", "13900002222"), ("郑经理", "13900003333"))
# The reasons the demo history draws from (bot/vocabulary/handoff_reasons.py), in a fixed order: the seed is
# reproducible.
HANDOFF_REASONS = (HandoffReason.ASKED_FOR_HUMAN, HandoffReason.NOT_UNDERSTOOD_TWICE, HandoffReason.ANGRY_CUSTOMER,
                   HandoffReason.CLAIM_OVER_LIMIT, HandoffReason.BACKEND_DOWN)


@dataclass
class Demo:
    """A fixed parcel the README promises."""

    number: str
    status: str
    origin: str
    destination: str
    sender_phone: str
    receiver_phone: str
    service_level: str = "standard"
    insured_value_fen: int | None = None
    current_city: str | None = None
    extra: dict = field(default_factory=dict)


DEMO_PARCELS = (
    Demo("ZT100000000001", "in_transit", "上海", "北京", "13812345678", "13987654321", current_city="济南"),
    Demo("ZT100000000002", "delivered", "广州", "深圳", "13600001234", "13712348888"),
    Demo("ZT100000000003", "delayed", "成都", "杭州", "13511112222", "13822223333"),
    Demo("ZT100000000004", "out_for_delivery", "北京", "武汉", "13633334444", "13744445555", "express"),
    Demo("ZT100000000005", "exception", "南京", "西安", "13855556666", "13966667777"),
    Demo("ZT100000000006", "returned", "杭州", "长沙", "15077778888", "15188889999"),
    Demo("ZT100000000007", "delivered", "上海", "广州", "13812345678", "18611112222", insured_value_fen=500000),
    Demo("ZT100000000008", "in_transit", "郑州", "乌鲁木齐", "18922223333", "18033334444", current_city="兰州"),
    Demo("SF1234567890123", "at_hub", "深圳", "成都", "13244445555", "13355556666", current_city="武汉"),
)


def _generated_number(index: int) -> str:
    return f"ZT1{index + 100:011d}"


def seeded_numbers() -> list[str]:
    return [demo.number for demo in DEMO_PARCELS] + [_generated_number(i) for i in range(GENERATED_PARCELS)]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    return rng.choice(("13", "15", "17", "18", "19")) + str(rng.randint(0, 9)) + f"{rng.randint(0, 99_999_999):08d}"


def _address(rng: random.Random, city: str) -> str:
    return f"{city}市{rng.choice(ROADS)}{rng.randint(1, 999)}号{rng.choice(PLACES)}{rng.randint(1, 30)}栋{rng.randint(101, 2808)}室"


def _cities() -> list[str]:
    return [name for name in geography.all_place_names()
            if not geography.is_province(name) and not geography.is_outside_mainland(name)
            and not geography.is_ambiguous(name)] + ["北京", "上海", "天津", "重庆"]


def _place(name: str) -> Place:
    return Place(name=name, province=geography.province_of(name) or name)


def _hub(city: str) -> str:
    if city in HUB_CITIES:
        return city
    province = geography.province_of(city)
    for hub in HUB_CITIES:
        if geography.province_of(hub) == province:
            return hub
    return city


def _route(origin: str, destination: str) -> list[tuple[str, str, str]]:
    """Full journey as (status, city, description) steps, collection to signature."""
    ohub, dhub = _hub(origin), _hub(destination)
    steps = [("collected", origin, f"【{origin}】快递员已揽收"),
             ("in_transit", origin, f"快件已从【{origin}营业部】发出，下一站【{ohub}转运中心】"),
             ("at_hub", ohub, f"快件已到达【{ohub}转运中心】")]
    if dhub != ohub:
        steps += [("in_transit", ohub, f"快件已从【{ohub}转运中心】发出，下一站【{dhub}转运中心】"),
                  ("at_hub", dhub, f"快件已到达【{dhub}转运中心】")]
    steps += [("in_transit", dhub, f"快件已从【{dhub}转运中心】发出，下一站【{destination}营业部】"),
              ("out_for_delivery", destination, f"【{destination}】快递员正在为您派送，请保持电话畅通"),
              ("delivered", destination, "快件已签收，感谢使用，期待再次为您服务")]
    return steps


def _via_steps(status: str, route: list[tuple[str, str, str]], via: str) -> list[tuple[str, str, str]]:
    """Demo parcels shown between hubs: leave the origin hub, then one event in the city they are passing."""
    leave_hub = next(i for i, (s, _c, _d) in enumerate(route) if s == "in_transit" and i > 0 and route[i - 1][0] == "at_hub")
    next_hub = route[leave_hub][2].split("下一站")[-1]
    if status == "at_hub":
        return route[: leave_hub + 1] + [("at_hub", via, f"快件已到达【{via}转运中心】")]
    return route[: leave_hub + 1] + [("in_transit", via, f"快件已途经【{via}】，正在发往{next_hub}")]


def _steps_for(status: str, route: list[tuple[str, str, str]], rng: random.Random,
               destination: str, via: str | None = None) -> list[tuple[str, str, str]]:
    if via:
        return _via_steps(status, route, via)
    last_index = {s: i for i, (s, _c, _d) in enumerate(route)}
    if status in {"collected", "out_for_delivery", "delivered"}:
        return route[: last_index[status] + 1]
    if status == "in_transit":
        candidates = [i for i, (s, _c, _d) in enumerate(route) if s == "in_transit"]
        return route[: rng.choice(candidates) + 1]
    if status == "at_hub":
        candidates = [i for i, (s, _c, _d) in enumerate(route) if s == "at_hub"]
        return route[: rng.choice(candidates) + 1]
    cut = route[: rng.randint(2, len(route) - 2)]
    city = cut[-1][1]
    if status == "exception":
        reason = rng.choice(("收件地址不详，正在联系收件人核实", "外包装破损，网点正在核实处理",
                             "收件人电话无人接听，快件暂存网点"))
        return cut + [("exception", city, f"【{city}】{reason}")]
    if status == "delayed":
        reason = rng.choice(("受天气影响", "受交通管制影响", "因中转量大"))
        return cut + [("delayed", city, f"{reason}，快件运输时效有所延误，给您带来不便敬请谅解")]
    # returned
    full = route[: last_index["out_for_delivery"] + 1]
    return full + [("returned", destination, "收件人拒收，快件已按寄件人要求退回")]


def _delivery_days(origin: str, destination: str, level: str) -> int:
    zone = quotes.zone_for(_place(origin), _place(destination))
    return int(tariff()["zones"][zone][level]["days"][1])


def _make_parcel(session: Session, rng: random.Random, now: datetime, *, number: str, status: str, origin: str,
                 destination: str, sender: tuple[str, str], receiver: tuple[str, str], level: str,
                 insured_value_fen: int | None = None, current_city: str | None = None) -> Parcel:
    weight = Decimal(rng.choice(("0.5", "1", "1.2", "2", "3.5", "5", "8")))
    freight = quotes.price(_place(origin), _place(destination), quotes.Parcel(weight_kg=weight), level,
                           insured_value_fen)["total_fen"]
    steps = _steps_for(status, _route(origin, destination), rng, destination, current_city)
    gaps = [timedelta(hours=rng.randint(2, 9), minutes=rng.randint(0, 59)) for _ in steps]
    start = now - sum(gaps, timedelta()) - timedelta(minutes=rng.randint(5, 600))
    times, moment = [], start
    for gap in gaps:
        times.append(moment)
        moment += gap
    days = _delivery_days(origin, destination, level)
    eta = to_local(start).date() + timedelta(days=max(days, 1))  # type: ignore[union-attr]
    if status == "delayed":
        eta = min(eta, local_today(now) - timedelta(days=1))
    parcel = Parcel(
        tracking_number=number, status=status, service_level=level, origin_city=origin,
        destination_city=destination, current_city=steps[-1][1], eta=eta,
        sender_name=sender[0], sender_phone=sender[1], sender_address=_address(rng, origin),
        receiver_name=receiver[0], receiver_phone=receiver[1], receiver_address=_address(rng, destination),
        weight_g=int(weight * 1000), freight_fen=freight, insured=insured_value_fen is not None,
        declared_value_fen=insured_value_fen, created_at=start,
    )
    if status == "out_for_delivery":
        # Its own generator, so the courier does not shift the rest of the seeded data
        courier = random.Random(number)
        parcel.courier_name, parcel.courier_phone = _name(courier), _phone(courier)
    if status == "delivered":
        parcel.signed_by = rng.choice(("本人", "本人", "前台", "家人", "快递柜"))
        parcel.signed_at = times[-1]  # its photo is drawn by backfill_demo_photos
    session.add(parcel)
    session.flush()
    for moment, (step_status, city, description) in zip(times, steps, strict=False):
        if step_status == "delivered":
            description = f"快件已签收，签收人：{parcel.signed_by}。感谢使用，期待再次为您服务"
        session.add(ParcelEvent(parcel_id=parcel.id, time=moment, city=city, status=step_status,
                                description=description))
    return parcel


def _ticket_number(session: Session, prefix: str, created: datetime) -> str:
    day = to_local(created).strftime("%Y%m%d")  # type: ignore[union-attr]
    return f"{prefix}{day}{next_value(session, prefix + day):03d}"


def _seed_customers(session: Session, rng: random.Random, now: datetime, phones: dict[str, str]) -> None:
    vip = {"13812345678": MANAGERS[0], "13600001234": MANAGERS[1], "18922223333": MANAGERS[2]}
    for index, (phone, name) in enumerate(sorted(phones.items())):
        manager = vip.get(phone) or (MANAGERS[index % 3] if index % 37 == 0 else None)
        session.add(Customer(phone=phone, name=name, is_vip=manager is not None,
                             account_manager_name=manager[0] if manager else None,
                             account_manager_phone=manager[1] if manager else None, created_at=now))


def _seed_complaints(session: Session, rng: random.Random, now: datetime, parcels: list[Parcel]) -> None:
    from bot.backend.services.complaints import STAGES

    texts = {"delay": "快件好几天了还没到，一直显示运输中", "damage": "收到的时候箱子压坏了，里面的杯子碎了",
             "attitude": "快递员态度很差，电话里很不耐烦", "delivery": "没有送货上门，直接放驿站了也没通知",
             "pickup": "预约了上门取件，等了一下午没人来", "loss": "显示签收了但我根本没收到"}
    hours = get_settings().complaint_response_hours
    for index in range(14):
        parcel = parcels[index * 7 % len(parcels)]
        category = list(texts)[index % len(texts)]
        # Three still unanswered: two within their 24 h, one overdue (agents see it first); the rest answered,
        # most of them in time.
        created = now - timedelta(hours=(30, 3, 10)[index] if index < 3 else rng.randint(30, 24 * 20))
        stage_index = 0 if index < 3 else rng.randint(1, len(STAGES) - 1)
        complaint = Complaint(
            number=_ticket_number(session, COMPLAINT, created), category=category, description=texts[category],
            contact_phone=parcel.receiver_phone if index % 2 else parcel.sender_phone,
            tracking_number=parcel.tracking_number, channel=rng.choice(("web", "wechat")), stage=STAGES[stage_index],
            created_at=created, response_due_at=created + timedelta(hours=hours),
        )
        session.add(complaint)
        session.flush()
        moment = created
        for stage in STAGES[: stage_index + 1]:
            session.add(ComplaintStage(complaint_id=complaint.id, stage=stage, at=moment))
            if stage == "verifying":
                complaint.first_response_at = moment
            first_gap = rng.choice((1, 2, 4, 6, 8, 12, 20, 30))
            moment = min(now, moment + timedelta(hours=first_gap if stage == "registered" else rng.randint(2, 48)))


def _seed_claims(session: Session, rng: random.Random, now: datetime, parcels: list[Parcel]) -> None:
    plan = (("damage", "approved"), ("loss", "submitted"), ("missing", "under_review"), ("delay", "paid"),
            ("damage", "rejected"), ("loss", "under_review"), ("damage", "submitted"))
    limit = get_settings().claim_auto_limit_fen
    for index, (claim_type, stage) in enumerate(plan):
        parcel = parcels[index]
        created = now - timedelta(days=index + 1, hours=rng.randint(0, 8))
        cap = compensation_cap(claim_type, parcel.insured, parcel.declared_value_fen, parcel.freight_fen)
        claimed = min(cap.amount_fen, rng.randint(20, 400) * 100)
        claim = Claim(
            number=_ticket_number(session, CLAIM, created), tracking_number=parcel.tracking_number,
            claim_type=claim_type, insured=parcel.insured, declared_value_fen=parcel.declared_value_fen,
            freight_fen=parcel.freight_fen, claimed_amount_fen=claimed, description="快件出现问题，申请理赔",
            contact_phone=parcel.sender_phone, stage=stage, compensation_cap_fen=cap.amount_fen, cap_rule=cap.rule,
            needs_manual_review=cap.amount_fen > limit or claimed > limit, created_at=created,
        )
        session.add(claim)
        session.flush()
        history = {"submitted": ["submitted"], "under_review": ["submitted", "under_review"],
                   "approved": ["submitted", "under_review", "approved"],
                   "rejected": ["submitted", "under_review", "rejected"],
                   "paid": ["submitted", "under_review", "approved", "paid"]}[stage]
        for offset, name in enumerate(history):
            at = created + timedelta(hours=4 * offset)
            session.add(ClaimStage(claim_id=claim.id, stage=name, at=at))
            if name == "approved":
                claim.approved_amount_fen = claimed
                claim.approved_at = at
                claim.payout_due_date = add_working_days(to_local(at).date(),  # type: ignore[union-attr]
                                                         get_settings().claim_payout_working_days)
            if name == "paid":
                claim.paid_at = at


def _seed_fallback(session: Session, conversation_id: str, channel: str, started: datetime) -> None:
    session.add(ConversationEvent(conversation_id=conversation_id, type="fallback", channel=channel,
                                  at=started + timedelta(minutes=1)))


def _seed_conversations(session: Session, rng: random.Random, now: datetime) -> None:
    for index in range(80):
        conversation_id = f"demo-{index:03d}"
        started = now - timedelta(days=rng.randint(0, 25), minutes=rng.randint(0, 1400))
        channel = rng.choice(("web", "wechat"))
        session.add(ConversationEvent(conversation_id=conversation_id, type="started", channel=channel, at=started))
        outcome = rng.random()
        if outcome < 0.7:
            session.add(ConversationEvent(conversation_id=conversation_id, type="resolved", channel=channel,
                                          at=started + timedelta(minutes=3)))
        elif outcome < 0.92:
            reason = rng.choice(HANDOFF_REASONS)
            session.add(ConversationEvent(conversation_id=conversation_id, type="handed_off", channel=channel,
                                          reason=reason, at=started + timedelta(minutes=2)))
            if reason == HandoffReason.NOT_UNDERSTOOD_TWICE:
                _seed_fallback(session, conversation_id, channel, started)
        if outcome < 0.7 and index % 7 == 3:  # misunderstood once, then helped (no draw: the rest stays as it was)
            _seed_fallback(session, conversation_id, channel, started)
        if rng.random() < 0.6:
            session.add(Rating(score=rng.choice((5, 5, 5, 4, 4, 3, 2)), conversation_id=conversation_id,
                               created_at=started + timedelta(minutes=5)))


def seed(session: Session) -> None:
    rng = random.Random(SEED)
    now = utcnow()
    cities = _cities()
    hubs = [city for city in HUB_CITIES if city in cities]
    people: dict[str, str] = {}
    parcels: list[Parcel] = []
    for demo in DEMO_PARCELS:
        sender = (_name(rng), demo.sender_phone)
        receiver = (_name(rng), demo.receiver_phone)
        people.setdefault(sender[1], sender[0])
        people.setdefault(receiver[1], receiver[0])
        parcels.append(_make_parcel(session, rng, now, number=demo.number, status=demo.status, origin=demo.origin,
                                    destination=demo.destination, sender=(people[sender[1]], sender[1]),
                                    receiver=(people[receiver[1]], receiver[1]), level=demo.service_level,
                                    insured_value_fen=demo.insured_value_fen, current_city=demo.current_city))
    pool = [(_name(rng), _phone(rng)) for _ in range(150)]
    for person_name, phone in pool:
        people.setdefault(phone, person_name)
    for index in range(GENERATED_PARCELS):
        origin = rng.choice(hubs) if rng.random() < 0.6 else rng.choice(cities)
        destination = rng.choice(hubs) if rng.random() < 0.5 else rng.choice(cities)
        sender, receiver = rng.sample(pool, 2)
        insured = rng.choice((None, None, None, 100000, 300000, 800000))
        number = _generated_number(index)
        parcels.append(_make_parcel(session, rng, now, number=number, status=STATUSES[index % len(STATUSES)],
                                    origin=origin, destination=destination, sender=sender, receiver=receiver,
                                    level=rng.choice(("standard", "standard", "express")),
                                    insured_value_fen=insured))
    _seed_customers(session, rng, now, people)
    _seed_complaints(session, rng, now, parcels[9:])
    _seed_claims(session, rng, now, [parcels[6]] + parcels[12:])
    _seed_conversations(session, rng, now)


def backfill_demo_photos(session: Session) -> int:
    """Draw the sign-off photo of each delivered demo parcel that has none on disk: after seeding, and for a
    database seeded before photos were served or next to a fresh var/ directory. Returns how many it drew."""
    parcels = session.execute(select(Parcel).where(
        Parcel.status == "delivered", Parcel.tracking_number.in_(seeded_numbers()))).scalars().all()
    missing = [parcel for parcel in parcels if pod_photos.stored_file(parcel) is None]
    for parcel in missing:
        pod_photos.store_demo(parcel)
    return len(missing)


def seed_if_empty() -> bool:
    """Seed unless parcels exist (True when it seeded); either way the demo parcels' photos are on disk."""
    with new_session() as session:
        seeded = not session.execute(select(func.count(Parcel.id))).scalar_one()
        if seeded:
            seed(session)
        backfill_demo_photos(session)
        session.commit()
        return seeded


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(prog="python -m bot.backend.seed", description=__doc__.splitlines()[0]).parse_args(argv)
    run_migrations()
    print("demo data seeded" if seed_if_empty() else "demo data already present, nothing to do")


if __name__ == "__main__":
    main()


