"""The demo hiring process as data: the ML Engineer opening's offices, levels and stages (with
its loop of stages 3 and 4), its interviewers, staff (its coordinators) and candidates, and the
demo sign-ins (DESIGN.md §2)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time

DEMO_PASSWORD = "demo-password-2026"
DEMO_LOGINS = {
    "password": DEMO_PASSWORD,
    "accounts": [
        ("admin", "admin@example.com"),
        ("coordinator", "coordinator@example.com"),
        ("interviewer", "wang.fang@example.com"),
        ("interviewer", "oliver.smith@example.com"),
    ],
}

OFFICES = [
    # code, name_zh, name_en, zone, calendar key, address_zh, address_en
    ("BJ", "北京", "Beijing", "Asia/Shanghai", "CN",
     "北京市海淀区中关村大街27号 12层", "12F, 27 Zhongguancun Street, Haidian District, Beijing"),
    ("SH", "上海", "Shanghai", "Asia/Shanghai", "CN",
     "上海市浦东新区世纪大道100号 30层", "30F, 100 Century Avenue, Pudong, Shanghai"),
    ("SZ", "深圳", "Shenzhen", "Asia/Shanghai", "CN",
     "深圳市南山区科苑南路2666号 8层", "8F, 2666 Keyuan South Road, Nanshan, Shenzhen"),
    ("HZ", "杭州", "Hangzhou", "Asia/Shanghai", "CN",
     "杭州市余杭区文一西路969号 5号楼", "Building 5, 969 Wenyi West Road, Yuhang, Hangzhou"),
    ("LON", "伦敦", "London", "Europe/London", "GB-ENG",
     "英国伦敦 King's Cross, 6 Pancras Square", "6 Pancras Square, King's Cross, London N1C 4AG"),
    ("SFO", "旧金山", "San Francisco", "America/Los_Angeles", "US-CA",
     "美国旧金山 Market Street 535号", "535 Market Street, San Francisco, CA 94105"),
    ("SIN", "新加坡", "Singapore", "Asia/Singapore", "SG",
     "新加坡 Marina Boulevard 10号", "10 Marina Boulevard, Singapore 018983"),
]

LEVELS = [
    {"code": "junior", "name_zh": "初级（3–5年）", "name_en": "Junior (3–5 years)", "years": "3-5"},
    {"code": "mid", "name_zh": "中级（5–8年）", "name_en": "Mid (5–8 years)", "years": "5-8"},
    {"code": "senior", "name_zh": "高级（8年以上）", "name_en": "Senior (8+ years)", "years": "8+"},
]

# The six stages of DESIGN.md §2, in order.
STAGES = [
    dict(kind="phone_screen", name_zh="初步沟通", name_en="HR phone screen", mode="phone",
         duration_minutes=30, panel_size=1, min_notice_minutes=4 * 60, horizon_days=14,
         description_zh="与招聘专员电话沟通，了解背景与求职意向。",
         description_en="A phone call with a recruiter about your background and goals."),
    dict(kind="coding_test", name_zh="技术笔试", name_en="Online coding test", mode="online",
         duration_minutes=90, panel_size=0, min_notice_minutes=2 * 60, horizon_days=14,
         candidate_day_start=time(8, 0), candidate_day_end=time(22, 0),
         description_zh="在线完成机器学习算法与工程基础题目，由评审人打分。",
         description_en="Online questions on ML algorithms and engineering basics, "
                        "scored by a reviewer."),
    dict(kind="system_design", name_zh="系统设计", name_en="System design", mode="video",
         duration_minutes=60, panel_size=2, is_senior_seat_required=True,
         buffer_before_minutes=10, buffer_after_minutes=10, feedback_due_hours=24,
         # Stages 3 and 4 may be booked as one loop: back to back on one day.
         is_looped_with_next=True,
         description_zh="设计一个机器学习系统，两位面试官（其中一位资深）。",
         description_en="Design a machine-learning system with two interviewers, one senior."),
    dict(kind="project_deep_dive", name_zh="项目经验", name_en="Project deep dive", mode="video",
         duration_minutes=60, panel_size=1, buffer_after_minutes=10, feedback_due_hours=24,
         description_zh="深入讨论你主导过的一个项目。",
         description_en="A deep dive into a project you led."),
    dict(kind="hr_final", name_zh="HR终面", name_en="HR final", mode="video",
         duration_minutes=45, panel_size=1, feedback_due_hours=24,
         description_zh="文化匹配与薪资期望。", description_en="Culture fit and salary expectations."),
    dict(kind="offer", name_zh="发放Offer", name_en="Offer", mode="online",
         duration_minutes=0, panel_size=0, sla_days=14, feedback_due_hours=None,
         description_zh="通过HR终面后14天内发放Offer。",
         description_en="The offer goes out within 14 days of passing the HR final."),
]

# The rubric (scheduler/rubrics/) each stage's feedback is written on, by stage kind.
STAGE_RUBRICS = {
    "phone_screen": "hr_phone_screen",
    "coding_test": "coding_test_review",
    "system_design": "ml_system_design",
    "project_deep_dive": "ml_project_deep_dive",
    "hr_final": "hr_final",
}

WEEKDAYS = range(0, 5)


@dataclass(frozen=True)
class DemoInterviewer:
    email: str
    name: str
    office: str
    hours: tuple[time, time]
    qualifications: dict[str, str]
    language: str = "zh"
    daily_cap: int | None = 2
    weekly_cap: int | None = 6
    zone: str | None = None


_ENGINEER = "qualified"
_SENIOR = "senior"
INTERVIEWERS = [
    # Recruiters: phone screens and HR finals.
    DemoInterviewer("wang.fang@example.com", "王芳", "BJ", (time(9, 30), time(18, 30)),
                    {"phone_screen": _ENGINEER, "hr_final": _SENIOR}, daily_cap=4, weekly_cap=15),
    DemoInterviewer("chen.jing@example.com", "陈静", "SH", (time(9, 30), time(18, 30)),
                    {"phone_screen": _ENGINEER, "hr_final": _ENGINEER}, daily_cap=4, weekly_cap=15),
    DemoInterviewer("emma.clarke@example.com", "Emma Clarke", "LON", (time(9, 0), time(17, 30)),
                    {"phone_screen": _ENGINEER, "hr_final": _ENGINEER}, language="en",
                    daily_cap=4, weekly_cap=12),
    # Beijing engineers.
    DemoInterviewer("li.wei@example.com", "李伟", "BJ", (time(10, 0), time(19, 0)),
                    {"system_design": _SENIOR, "project_deep_dive": _SENIOR,
                     "coding_test": _ENGINEER}),
    DemoInterviewer("zhang.min@example.com", "张敏", "BJ", (time(9, 30), time(18, 30)),
                    {"system_design": _ENGINEER, "project_deep_dive": _ENGINEER}),
    DemoInterviewer("liu.yang@example.com", "刘洋", "BJ", (time(10, 0), time(19, 0)),
                    {"system_design": "shadow", "project_deep_dive": _ENGINEER}),
    DemoInterviewer("zhao.lei@example.com", "赵磊", "BJ", (time(9, 30), time(18, 30)),
                    {"system_design": _SENIOR, "coding_test": _ENGINEER}, daily_cap=1),
    # Shanghai engineers.
    DemoInterviewer("sun.li@example.com", "孙丽", "SH", (time(9, 30), time(18, 30)),
                    {"system_design": _SENIOR, "project_deep_dive": _ENGINEER}),
    DemoInterviewer("zhou.tao@example.com", "周涛", "SH", (time(10, 0), time(19, 0)),
                    {"system_design": _ENGINEER, "project_deep_dive": _ENGINEER}),
    DemoInterviewer("wu.xia@example.com", "吴霞", "SH", (time(9, 0), time(18, 0)),
                    {"project_deep_dive": _SENIOR, "coding_test": _ENGINEER}),
    # Shenzhen engineers.
    DemoInterviewer("huang.jun@example.com", "黄俊", "SZ", (time(9, 30), time(18, 30)),
                    {"system_design": _SENIOR, "project_deep_dive": _SENIOR}),
    DemoInterviewer("lin.na@example.com", "林娜", "SZ", (time(10, 0), time(19, 0)),
                    {"system_design": _ENGINEER, "project_deep_dive": _ENGINEER}),
    DemoInterviewer("he.qiang@example.com", "何强", "SZ", (time(9, 30), time(18, 30)),
                    {"system_design": "reverse_shadow", "project_deep_dive": _ENGINEER}),
    # Hangzhou engineers.
    DemoInterviewer("ma.chao@example.com", "马超", "HZ", (time(9, 30), time(18, 30)),
                    {"system_design": _ENGINEER, "project_deep_dive": _SENIOR}),
    DemoInterviewer("xu.ting@example.com", "徐婷", "HZ", (time(10, 0), time(19, 0)),
                    {"system_design": _SENIOR, "project_deep_dive": _ENGINEER}),
    DemoInterviewer("guo.peng@example.com", "郭鹏", "HZ", (time(9, 0), time(18, 0)),
                    {"project_deep_dive": _ENGINEER, "coding_test": _ENGINEER}),
    # London.
    DemoInterviewer("oliver.smith@example.com", "Oliver Smith", "LON", (time(9, 0), time(17, 30)),
                    {"system_design": _SENIOR, "project_deep_dive": _ENGINEER}, language="en"),
    DemoInterviewer("amelia.jones@example.com", "Amelia Jones", "LON", (time(9, 30), time(18, 0)),
                    {"system_design": _ENGINEER, "project_deep_dive": _ENGINEER}, language="en"),
    # San Francisco.
    DemoInterviewer("james.miller@example.com", "James Miller", "SFO", (time(9, 0), time(17, 0)),
                    {"system_design": _SENIOR, "project_deep_dive": _SENIOR}, language="en"),
    DemoInterviewer("sofia.garcia@example.com", "Sofia Garcia", "SFO", (time(8, 30), time(16, 30)),
                    {"system_design": _ENGINEER, "project_deep_dive": _ENGINEER}, language="en"),
    DemoInterviewer("zhu.kai@example.com", "朱凯", "SFO", (time(10, 0), time(18, 0)),
                    {"system_design": _ENGINEER, "project_deep_dive": _ENGINEER}),
    # Singapore.
    DemoInterviewer("tan.weiming@example.com", "Tan Wei Ming", "SIN", (time(9, 0), time(18, 0)),
                    {"system_design": _SENIOR, "project_deep_dive": _ENGINEER}, language="en"),
    DemoInterviewer("priya.nair@example.com", "Priya Nair", "SIN", (time(9, 0), time(18, 0)),
                    {"system_design": _ENGINEER, "project_deep_dive": _ENGINEER,
                     "coding_test": _ENGINEER}, language="en"),
    # Works remotely from Vancouver but belongs to the Beijing office: his own zone differs
    # from the office's, while his holidays stay the office's.
    DemoInterviewer("deng.hao@example.com", "邓浩", "BJ", (time(9, 0), time(17, 0)),
                    {"system_design": _ENGINEER, "project_deep_dive": _ENGINEER},
                    zone="America/Vancouver"),
]

STAFF = [
    # email, name, roles, zone, language
    ("admin@example.com", "系统管理员 Admin", ("admin", "coordinator"), "Asia/Shanghai", "zh"),
    ("coordinator@example.com", "招聘协调 周琳 (Lin Zhou)", ("coordinator",), "Asia/Shanghai", "zh"),
]

# name, email, phone, zone, language, level, stage position (1..6), status
CANDIDATES = [
    ("陈晓明", "xiaoming.chen@example.org", "+86 138 1000 0001", "Asia/Shanghai", "zh",
     "mid", 1, "active"),
    ("林雨萱", "yuxuan.lin@example.org", "+86 139 1000 0002", "Asia/Shanghai", "zh",
     "junior", 2, "active"),
    ("赵一鸣", "yiming.zhao@example.org", "+86 137 1000 0003", "Asia/Shanghai", "zh",
     "senior", 3, "active"),
    ("Hannah Wright", "hannah.wright@example.org", "+44 7700 900123", "Europe/London", "en",
     "mid", 3, "active"),
    ("黄嘉欣", "jiaxin.huang@example.org", "+852 5123 4567", "Asia/Hong_Kong", "zh",
     "mid", 4, "active"),
    ("Daniel Kim", "daniel.kim@example.org", "+1 415 555 0142", "America/Los_Angeles", "en",
     "senior", 3, "active"),
    ("Aarav Sharma", "aarav.sharma@example.org", "+65 8123 4567", "Asia/Singapore", "en",
     "mid", 4, "active"),
    ("孙浩然", "haoran.sun@example.org", "+86 136 1000 0008", "Asia/Shanghai", "zh",
     "senior", 5, "active"),
    ("Lukas Becker", "lukas.becker@example.org", "+49 151 2345 6789", "Europe/Berlin", "en",
     "mid", 2, "active"),
    ("王思琪", "siqi.wang@example.org", "+1 646 555 0199", "America/New_York", "zh",
     "junior", 1, "active"),
    ("佐藤健 Ken Sato", "ken.sato@example.org", "+81 90 1234 5678", "Asia/Tokyo", "en",
     "senior", 6, "offer"),
    ("刘子涵", "zihan.liu@example.org", "+86 135 1000 0012", "Asia/Shanghai", "zh",
     "mid", 3, "rejected"),
]
