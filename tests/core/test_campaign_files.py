"""Campaign files: a good one becomes a draft; a bad one gets one line per problem naming the
file, the line and the field. The web admin's form, given as data, is checked by the same rules."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.core.campaigns.model import ScheduleKind
from bot.core.campaigns.spec import CampaignFileError, Checks, from_data, parse

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CHECKS = Checks(
    default_locale="vi",
    languages=lambda code: code in {"vi", "en", "bru"},
    article=lambda article: article == "drowning-prevention",
    pillars=frozenset({"injury", "abuse"}),
    commune=lambda value: {"gio linh": "19495", "19597": "19597"}.get(value.lower()),
    media=lambda path: path == "media/ok.png",
    channels=frozenset({"telegram", "web"}),
    zone=ZONE,
)


def problems(text: str) -> list[str]:
    with pytest.raises(CampaignFileError) as info:
        parse(text, CHECKS, "june.yaml")
    return info.value.problems


def test_a_good_file_becomes_a_draft() -> None:
    draft = parse(
        """\
title: Tháng hành động
messages:
  vi:
    text: "**Xin chào**"
    image: media/ok.png
    buttons: [{article: drowning-prevention, label: "Đọc thêm"}]
  en: {text: Hello}
audience:
  roles: [parent]
  communes: [Gio Linh, "19597"]
  topics: [injury]
  active_within_days: 30
schedule:
  weekly: {day: monday, time: 08:00, until: 2027-06-30}
""",
        CHECKS,
        "june.yaml",
    )
    assert set(draft.messages) == {"vi", "en"}
    assert draft.audience.communes == ("19495", "19597")
    assert draft.schedule.kind is ScheduleKind.WEEKLY
    assert (draft.schedule.local_time, draft.schedule.until) == (time(8, 0), date(2027, 6, 30))


def test_a_time_without_a_zone_is_local() -> None:
    draft = parse("title: x\nmessages: {vi: {text: y}}\nschedule: {at: 2027-06-01 08:00}\n", CHECKS)
    assert draft.schedule.at == datetime(2027, 6, 1, 8, 0, tzinfo=ZONE)


def test_problems_name_the_file_the_line_and_the_field() -> None:
    found = problems(
        """\
title: x
messages:
  en:
    text: Hello
    buttons:
      - article: no-such-article
  xx: {text: Hi}
audience:
  communes: [Hà Nội]
  topics: [cooking]
"""
    )
    assert found == [
        "june.yaml:2: messages: a message in 'vi' is required: it is what everyone whose "
        "language is missing gets",
        "june.yaml:6: messages.en.buttons.0.article: no article 'no-such-article'",
        "june.yaml:7: messages.xx: unknown language 'xx' (see locales/languages.yaml)",
        "june.yaml:10: audience.topics.0: unknown topic 'cooking' (one of: abuse, injury)",
        "june.yaml:9: audience.communes.0: no single commune matches 'Hà Nội' "
        "(write its full name or its code)",
    ]


def test_schema_errors_and_bad_yaml_have_lines_too() -> None:
    assert problems("title: x\nmessages:\n  vi:\n    text: ''\n") == [
        "june.yaml:4: messages.vi.text: String should have at least 1 character"
    ]
    assert problems("title: x\nmessages: {vi: {text: y}}\nschedule: {every: day}\n") == [
        "june.yaml:3: schedule: one of: now, {at: 2027-06-01 08:00}, "
        "{weekly: {day: monday, time: '08:00'}}"
    ]
    assert problems("title: [x\n")[0].startswith("june.yaml:2: invalid YAML")
    assert problems("- a list\n") == [
        "june.yaml:1: a campaign file is a mapping (title, messages, ...)"
    ]


def test_data_from_a_form_is_checked_by_the_same_rules_naming_each_field() -> None:
    with pytest.raises(CampaignFileError) as info:
        from_data(
            {
                "title": "x",
                "messages": {"en": {"text": "Hello", "buttons": [{"article": "nope"}]}},
                "audience": {"topics": ["cooking"], "active_within_days": "90"},
                "schedule": {"weekly": {"day": "monday", "time": "08:00", "until": "2027-06-30"}},
            },
            CHECKS,
        )
    assert info.value.problems == [
        "messages: a message in 'vi' is required: it is what everyone whose language is "
        "missing gets",
        "messages.en.buttons.0.article: no article 'nope'",
        "audience.topics.0: unknown topic 'cooking' (one of: abuse, injury)",
    ]
    with pytest.raises(CampaignFileError) as info:
        from_data({"title": "x", "messages": {"vi": {"text": ""}}}, CHECKS)
    assert info.value.problems == ["messages.vi.text: String should have at least 1 character"]
    with pytest.raises(CampaignFileError) as info:
        from_data({"title": "x", "messages": {"vi": {"text": "y"}}, "schedule": {"at": ""}}, CHECKS)
    assert len(info.value.problems) == 1 and info.value.problems[0].startswith("schedule.at: ")
    draft = from_data(
        {
            "title": "x",
            "messages": {"vi": {"text": "y", "buttons": [{"article": "drowning-prevention"}]}},
            "audience": {"active_within_days": "90", "communes": ["19597"]},
            "schedule": {"at": "2027-06-01T08:00"},
        },
        CHECKS,
    )
    assert draft.audience.active_days == 90 and draft.audience.communes == ("19597",)
    assert draft.schedule.at == datetime(2027, 6, 1, 8, 0, tzinfo=ZONE)
    assert draft.source == "admin form"
