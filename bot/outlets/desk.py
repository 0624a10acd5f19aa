"""The outlet features as both channels see them: lookup flow, picks, /stats, /premium.

Channel-independent like the rest of the core: Telegram handlers and the console call these
methods through `Assistant.outlets` and get a `Reply` back.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from bot import regions
from bot.config import Config
from bot.dates import china_month
from bot.limits import PerUserLimit
from bot.outlets import premium as premium_mod
from bot.outlets.lookups import POSTER, QUERY_MAX
from bot.outlets.names import OUTLET_WORDS, brands_in, query_of
from bot.outlets.registry import Registry
from bot.outlets.report import build as build_report
from bot.outlets.search import (
    AMBIGUOUS,
    INSURED,
    MAX_CANDIDATES,
    NOT_INSURED,
    Candidate,
    LookupResult,
    in_region,
    status_of,
)
from bot.outlets.validation import FILED
from bot.render import render
from bot.reply import OUTLET, OUTLET_NAME, Reply
from bot.storage.database import Storage
from bot.text import looks_like_question

# A text that names one of these is about an outlet, even when it reads like a question.
_OUTLET_WORDS = re.compile("|".join(OUTLET_WORDS))
LABEL_MAX = 18  # characters of an outlet name on a button


class OutletDesk:
    def __init__(
        self,
        config: Config,
        storage: Storage,
        limit: PerUserLimit,
        region_of: Callable[[str | None], str | None],
        chat: bool = True,
    ):
        self.config = config
        self.limit = limit
        self.region_of = region_of  # the courier's stored region (the Assistant owns it)
        self.registry = Registry(storage, config.lookup_retention_days)
        # A chat loads the sample list or, where it is off, removes one an earlier run loaded
        # (M10); a command (`ask`, chat=False) leaves it as it is unless the config says.
        self.registry.keep_sample(config.sample_outlets(chat))

    # --- the "which outlet?" prompt ------------------------------------------------------------
    @staticmethod
    def answers_prompt(text: str) -> bool:
        """Whether a text sent while the outlet prompt waits is the outlet's name: not a command,
        and not a question about something else (上班路上被车撞了算工伤吗) — that is answered
        as a question, and never logged as a lookup officials would read."""
        text = text.strip()
        if not text or text.startswith("/"):
            return False
        # "中通城西网点交了吗" still names the outlet; "上班路上被车撞了算工伤吗" names none.
        return not looks_like_question(text) or bool(brands_in(text) or _OUTLET_WORDS.search(text))

    def prompt(self, user: str | None, too_long: bool = False) -> Reply:
        """Ask for the outlet's name or number. The reply `expects` it: the channel keeps that
        (persisted, with an expiry) and hands the next text back to lookup()."""
        return Reply(
            render(
                "outlet_prompt", too_long=too_long, limit=QUERY_MAX, lists=self.registry.lists()[:3]
            ),
            expects=OUTLET_NAME,
        )

    # --- lookups -------------------------------------------------------------------------------
    def lookup(self, text: str, user: str | None, channel: str, region: str | None = None) -> Reply:
        """Look an outlet up for a courier, in `region` (as typed) or the courier's region first,
        widening to everywhere when the outlet may be elsewhere (Registry.find)."""
        if not text.strip():
            return self.prompt(user)
        if not self.limit.allow(user):
            return Reply(render("slow_down", limit=self.limit.count))
        if len(text) > QUERY_MAX:
            return self.prompt(user, too_long=True)
        region = regions.canonical(region) if region is not None else self.region_of(user)
        result, home = self.registry.find(text, region)
        if result.empty:
            return self.prompt(user)
        self.registry.record(result, user, channel)
        return self.reply(result, outside=home)

    def from_question(self, text: str, user: str | None) -> Reply:
        """ "我们网点交工伤保险了吗": look the outlet up when the text names a brand, else ask
        for the outlet's name."""
        query = query_of(text)
        if brands_in(query):
            return self.lookup(query, user, "chat")
        return self.prompt(user)

    def reply(self, result: LookupResult, outside: str | None = None) -> Reply:
        return reply_for(self.registry, result, outside)

    def pick(self, data: str, user: str | None, channel: str) -> Reply | None:
        """A candidate button. None if the data is forged or the outlet no longer exists."""
        raw = data[len(OUTLET) :]
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:  # not '²', not huge
            return None
        outlet = self.registry.outlet(int(raw))
        if outlet is None:
            return None
        return self._show(outlet, user, channel, "pick")

    def from_poster(self, payload: str, user: str | None, welcome: Reply) -> Reply:
        """/start o<key> from a poster's QR code: that outlet's status at once, logged with
        channel "poster". A key that names no outlet (an old poster, a mistyped link) says so
        above the `welcome`."""
        outlet = self.registry.by_poster_key(payload)
        if outlet is None:
            text = render("outlet_poster_unknown") + "\n\n" + welcome.text
            return dataclasses.replace(welcome, text=text)
        return self._show(outlet, user, POSTER, "poster")

    def _show(self, outlet: dict, user: str | None, channel: str, via: str) -> Reply:
        """An outlet known for sure (a button, a poster): its status, logged as a lookup."""
        result = LookupResult(
            query="",
            status=status_of(outlet),
            candidates=[Candidate(outlet, 100.0)],
            via=via,
        )
        self.registry.record(result, user, channel, outlet=outlet)
        return _found(outlet, result)

    # --- officials ------------------------------------------------------------------------------
    def stats(self, admin: bool, month: str | None = None) -> Reply:
        if not admin:
            return Reply(render("outlet_stats_refused"))
        month = month or china_month()
        return Reply(render("outlet_stats", report=build_report(self.registry, month)))

    # --- premium estimate -----------------------------------------------------------------------
    def premium(self, text: str, user: str | None) -> Reply:
        req = premium_mod.parse_request(text)
        region = req.region or self.region_of(user)
        rules = self.config.premium
        rule = premium_mod.rule_for(rules, region)
        est = premium_mod.estimate(req, rule)
        if est is None:
            return Reply(
                render(
                    "premium_usage",
                    req=req,
                    rule=rule,
                    region=region,
                    known=[r for r in rules if r.rate],
                    asked=bool(text.strip()),
                )
            )
        return Reply(render("premium_result", e=est))

    # --- console --------------------------------------------------------------------------------
    def console(self, user: str | None, line: str) -> Reply | None:
        """The console's outlet commands (the console is a local operator: /stats is allowed);
        None when the line is not for us."""
        text = line.strip()
        command, _, arg = text.partition(" ")
        if command == "/outlet":
            return self.lookup(arg, user, "console") if arg.strip() else self.prompt(user)
        if command == "/premium":
            return self.premium(arg, user)
        if command == "/stats":
            return self.stats(admin=True)
        return None


def reply_for(registry: Registry, result: LookupResult, outside: str | None = None) -> Reply:
    """The reply to a lookup: the outlet's status, candidates to pick from, or not found.
    `outside` is the courier's region when the search went beyond it: outlets elsewhere are
    marked as such."""
    if result.vague and (result.more or not result.candidates):
        return Reply(render("outlet_vague", result=result))
    if result.status == AMBIGUOUS:  # look-alikes, or the few outlets of a brand named alone
        away = _away(result.candidates, outside)
        return Reply(
            render(
                "outlet_choices",
                result=result,
                outside=outside if away else None,
                away=away,
                sources=_sources(result.candidates),
            ),
            _buttons(result.candidates),
        )
    if result.status in (INSURED, NOT_INSURED):
        assert result.best is not None  # Search._decide finds an outlet only among candidates
        best = result.best.outlet
        others = _alternatives(registry, result)
        return _found(best, result, outside if _away([result.best], outside) else None, others)
    return Reply(
        render(
            "outlet_unknown",
            result=result,
            lists=registry.lists(result.region)[:5],
            all_lists=registry.lists()[:5],
            region=result.region,
        )
    )


def _alternatives(registry: Registry, result: LookupResult) -> list[Candidate]:
    """The "不是这个网点？" buttons under a hit: its brand's other outlets first — among the
    candidates, then in its city (L6: 中通城西 offered 韵达 and 邮政) — then the rest."""
    assert result.best is not None
    best = result.best.outlet
    others = [c for c in result.candidates if c.outlet["id"] != best["id"]]
    same = [c for c in others if best["brand"] and c.outlet["brand"] == best["brand"]]
    room = MAX_CANDIDATES - 1 - len(same)
    seen = {c.outlet["id"] for c in result.candidates}
    same += registry.same_brand(best, seen, room) if best["brand"] else []
    taken = {c.outlet["id"] for c in same}
    rest = [c for c in others if c.outlet["id"] not in taken]
    rest.sort(key=lambda c: c.other_brand)  # stable: another brand than the query's last
    return (same + rest)[: MAX_CANDIDATES - 1]


def _found(
    outlet: dict,
    result: LookupResult,
    outside: str | None = None,
    others: list[Candidate] | None = None,
) -> Reply:
    if others is None:
        others = [c for c in result.candidates if c.outlet["id"] != outlet["id"]]
    return Reply(
        render(
            "outlet_found",
            o=outlet,
            result=result,
            outside=outside,
            filed=outlet["kind"] == FILED,
            local=_local_document(outlet),
            alternatives=bool(others),
        ),
        _buttons(others[: MAX_CANDIDATES - 1]),
    )


def _away(candidates: list[Candidate], home: str | None) -> set[int]:
    """Ids of the candidates outside the courier's region (none when the search kept to it)."""
    if not home:
        return set()
    return {c.outlet["id"] for c in candidates if not in_region(c.outlet, home)}


def _buttons(candidates: list[Candidate]) -> list[tuple[str, str]]:
    out = []
    for c in candidates:
        o = c.outlet
        name = o["name"] if len(o["name"]) <= LABEL_MAX else o["name"][: LABEL_MAX - 1] + "…"
        out.append((f"{name}（{o['city'] or o['province']}）", f"{OUTLET}{o['id']}"))
    return out


def _sources(candidates: list[Candidate]) -> list[dict]:
    seen: dict[tuple, dict] = {}
    for c in candidates:
        o = c.outlet
        seen.setdefault(
            (o["source"], o["as_of"]),
            {"source": o["source"], "as_of": o["as_of"], "sample": bool(o["sample"])},
        )
    return list(seen.values())


def _local_document(outlet: dict) -> str | None:
    """Which seed document governs a filed-only outlet's employer: 吉林 or 济宁, else None."""
    if outlet["province"] == "吉林":
        return "吉林"
    if outlet["city_key"] == "济宁":
        return "济宁"
    return None
