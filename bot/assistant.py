"""The channel-independent core: turns a courier's input into a reply (text + buttons).

Telegram handlers and the console both call this; it imports nothing from Telegram.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Hashable
from datetime import UTC, datetime

from bot import answers, benefits, regions
from bot.config import Config
from bot.faq import live
from bot.faq.facets import FacetFinder
from bot.faq.intents import Intent, Intents
from bot.faq.loader import Knowledge
from bot.faq.matcher import Match, Matcher
from bot.feedback import Feedback, without_votes
from bot.handoff import Handoff
from bot.limits import PerUserLimit
from bot.outlets.desk import OutletDesk
from bot.render import label, plain, render
from bot.reply import (
    FAQ,
    FEEDBACK,
    MENU,
    OUTLET,
    REGION,
    REGION_BUTTONS,
    SOURCE,
    Reply,
    region_label,
)
from bot.storage.database import Storage

# Main menu actions; guides are started by the channels, the outlet lookup by bot/outlets/desk.py.
MENU_ITEMS = ["qa", "injury_guide", "assess_guide", "benefit", "outlet", "region"]
RELOAD_PROBLEMS = 5  # problems a failed /reload lists; the log has them all

log = logging.getLogger(__name__)


class Assistant:
    def __init__(
        self, config: Config, storage: Storage, kb: Knowledge | None = None, chat: bool = True
    ):
        self.config = config
        self.storage = storage
        self.limit = PerUserLimit(config.questions_per_minute)
        self.faq = live.build(config, kb)  # replaced whole by reload(), never changed in place
        self.outlets = OutletDesk(config, storage, self.limit, self.region_of, chat)  # /outlet
        self.feedback = Feedback(storage.db)  # 👍/👎 under answers
        # Questions passed to officials: only where there is an officials' chat to pass them to.
        # Entries are looked up through self.matcher at each call: /reload replaces the matcher.
        self.handoff = (
            Handoff(storage.db, config, lambda i: self.matcher.entry(i))
            if config.handoff_chat_id
            else None
        )

    # --- the FAQ, and reloading it ------------------------------------------------------------
    @property
    def matcher(self) -> Matcher:
        return self.faq.matcher

    @property
    def intents(self) -> Intents:
        return self.faq.intents

    @property
    def benefit_rules(self) -> benefits.Rules:
        return self.faq.benefit_rules

    @property
    def facets(self) -> FacetFinder:
        return self.faq.facets

    def reload(self) -> Reply:
        """/reload: serve faq/ as it is on disk now, or keep serving the old FAQ and say what is
        wrong. Only the one `faq` reference changes: regions, limits, guides and conversations in
        progress are untouched."""
        reread = live.reread(self.config)
        if reread.faq is None:
            log.error("FAQ reload failed, the old FAQ stays: %s", "; ".join(reread.problems))
            shown = reread.problems[:RELOAD_PROBLEMS]
            return Reply(
                render("reload_failed", problems=shown, more=len(reread.problems) - len(shown))
            )
        self.faq = reread.faq
        entries = len(self.faq.matcher.kb.entries)
        log.info("FAQ reloaded: %d entries", entries)
        return Reply(render("reload_done", entries=entries))

    # --- region -------------------------------------------------------------------------------
    def region_of(self, user: str | None) -> str | None:
        stored = self.storage.region(user) if user else None
        return stored or self.config.default_region

    def adopt_region(self, user: str | None, region: str | None) -> str | None:
        """After a guide: a courier with no region set gets the one they just answered, and a
        line saying so (None when nothing was saved; 全国 is no place to keep)."""
        region = regions.canonical(region) if region else None
        if not user or not region or region == regions.NATIONAL or self.storage.region(user):
            return None
        self.storage.set_region(user, region)
        return render("region_adopted", region=region)

    def region_menu(self, user: str | None) -> Reply:
        return Reply(
            render("region_prompt", current=self.region_of(user)),
            [(region_label(r), REGION + r) for r in REGION_BUTTONS]
            + [(label("region_other"), MENU + "region_other")],
        )

    def set_region(self, user: str | None, name: str) -> Reply:
        found = regions.resolve(name)
        if found.ask or found.choices:  # 其他省份, or a name that fits two places: ask, never guess
            return Reply(render("region_ask", name=name[:20], choices=found.choices))
        if found.region is None:
            return Reply(render("region_unknown", name=name[:20]))
        if user:
            self.storage.set_region(user, found.region)
        has_docs = found.region in regions.DOC_REGIONS and found.region != regions.NATIONAL
        return Reply(
            render("region_set", region=found.region, has_docs=has_docs, place=found.place)
        )

    # --- questions ----------------------------------------------------------------------------
    def ask(
        self,
        text: str,
        user: str | None = None,
        region: str | None = None,
        limited: bool = True,
        in_group: bool = False,
    ) -> Reply:
        """Answer a free-text question; `region` overrides the courier's stored region.
        `limited=False` is for batch use by an operator (`courier-bot ask -`). `in_group`: asked
        in a group chat, where nothing is stored (no gap: nobody asked curators), no 👍/👎 or
        handoff is offered, and an outlet lookup moves to the private chat."""
        if limited and not self.limit.allow(user):
            return Reply(render("slow_down", limit=self.limit.count))
        limit = self.config.max_message_chars
        if len(text) > limit:
            return Reply(render("too_long", length=len(text), limit=limit))
        region = regions.canonical(region) if region else self.region_of(user)
        reply = self.understand(text, region, user, in_group=in_group)
        if in_group:
            return without_votes(reply)
        match = reply.match
        if match is not None and not match.answered and not match.too_short:
            self.storage.record_gap(text.strip(), match.asked_region or region)
        if self.handoff is not None and user:
            asked = match.asked_region if match is not None else None
            reply = self.handoff.after_ask(reply, text, user, region or asked)
        return reply

    def understand(
        self, text: str, region: str | None, user: str | None = None, in_group: bool = False
    ) -> Reply:
        """The reply to a message: small talk, the outlet lookup, an FAQ answer with its
        follow-ups, a "你是不是想问", or an honest decline. Nothing is recorded but a lookup,
        and a group runs none: its lookup goes on in private."""
        intent = self.intents.classify(text)
        if intent and intent.name == "outlet" and in_group:
            return Reply("", intent=intent.name, private="outlet")
        if intent:
            return self._intent(intent, text, user)
        computed = benefits.reply(text, self.benefit_rules)  # "七级伤残 月工资6000 能拿多少"
        found = self.facets.find(text)
        shown = frozenset(i for f in found for i in f.followups)
        match = self.matcher.match(text, region, shown)
        if computed is not None and not _counts_first(match, text):
            return answers.computed(self.matcher, computed, found, region)
        if match.answered:
            reply = answers.answer(self.matcher, self.facets, match, found)
            if computed is not None:  # "does it count?" first; the amounts one tap away
                reply.buttons.insert(0, (label("menu_benefit"), MENU + "benefit"))
            return reply
        if match.too_short:
            return Reply(render("too_short"), match=match)
        if match.out_of_scope:
            return Reply(render("out_of_scope", subject=match.out_of_scope), match=match)
        guide = self.facets.guide(found, None)
        suggestions = answers.as_seen(self.matcher, match.suggestions, region)
        benefit = [(label("menu_benefit"), MENU + "benefit")] if computed is not None else []
        return Reply(
            render("unknown", suggestions=suggestions, confirm=match.confirm, guide=guide),
            answers.guide_buttons(guide) + benefit + answers.faq_buttons(suggestions),
            match,
        )

    def _intent(self, intent: Intent, text: str, user: str | None) -> Reply:
        """Small talk, a bare "I got hurt", or "is my outlet insured?": never a gap."""
        if intent.name == "outlet":
            reply = self.outlets.from_question(text, user)
        elif intent.name == "injured":
            reply = Reply(
                render(intent.reply),
                answers.guide_buttons("injury")
                + answers.faq_buttons(e for e in map(self.matcher.entry, INJURED_TOPICS) if e),
            )
        else:
            reply = Reply(render(intent.reply), self._menu_buttons())
        reply.intent = intent.name
        return reply

    def show_entry(self, entry_id: str, user: str | None = None) -> Reply | None:
        """A button press on a topic: the courier's region picks the variant. None if forged."""
        entry = self.matcher.entry(entry_id)
        if entry is None:
            return None
        match = Match(entry=entry, score=100.0, user_region=self.region_of(user))
        self.matcher.pick_variant(match, entry, match.user_region)
        return answers.answer(self.matcher, self.facets, match)

    # --- fixed messages -----------------------------------------------------------------------
    def welcome(self, user: str | None) -> Reply:
        return Reply(render("welcome", region=self.region_of(user)), self._menu_buttons())

    @staticmethod
    def _menu_buttons() -> list[tuple[str, str]]:
        return [(label("menu_" + action), MENU + action) for action in MENU_ITEMS]

    def benefit(self, args: str) -> Reply:
        """/benefit 7 6000 [7000]: benefits for a grade (and wage), or how to ask."""
        text = benefits.reply(args, self.benefit_rules, command=True)
        assert text is not None  # a command gets the benefit or the usage, never None
        return Reply(text)

    def help(self) -> Reply:
        return Reply(render("help"))

    def menu(self, action: str, user: str | None) -> Reply | None:
        """A main-menu button. None if the action is unknown (forged or stale)."""
        if action == "qa":  # 政策问答: how to ask, not the whole /help
            return Reply(render("ask_prompt"))
        if action == "region":
            return self.region_menu(user)
        if action == "region_other":  # the same reply as typing the button's label
            return self.set_region(user, label("region_other"))
        if action == "outlet":
            return self.outlets.prompt(user)
        if action == "benefit":
            return self.benefit("")
        return None

    def original(self, entry_id: str) -> Reply | None:
        """📄 查看原文 of an entry; None if the id is unknown (forged or stale)."""
        return answers.original(self.matcher, entry_id)

    def vote(self, data: str, user: str | None, message: Hashable | None) -> Reply:
        """👍/👎 on an answer `message` (a channel's name for it), or the reason after a 👎,
        which is followed by the offer to pass the question on."""
        region = self.region_of(user)
        reply, voted = self.feedback.press(
            data, message, region, self.matcher.entry, datetime.now(UTC)
        )
        if voted and self.handoff is not None and user:
            self.handoff.after_vote(reply, user, voted, region)
        return reply

    def callback(self, data: str, user: str | None, message: Hashable | None = None) -> Reply:
        """Any button press; forged or stale data gets a clear reply instead of an error.
        `message` names the message the button was on (one vote per answer)."""
        reply = None
        if data.startswith(FAQ):
            reply = self.show_entry(data[len(FAQ) :], user)
        elif data.startswith(MENU):
            reply = self.menu(data[len(MENU) :], user)
        elif data.startswith(REGION) and data[len(REGION) :] in REGION_BUTTONS:
            reply = self.set_region(user, data[len(REGION) :])
        elif data.startswith(SOURCE):
            reply = self.original(data[len(SOURCE) :])
        elif data.startswith(OUTLET):
            reply = self.outlets.pick(data, user, "chat")
        elif data.startswith(FEEDBACK):
            reply = self.vote(data, user, message)
        return reply or Reply(render("stale_button"))


INJURED_TOPICS = ("national.injury.errand", "national.injury.at_work", "national.apply.who_when")


def _counts_first(match: Match, text: str) -> bool:
    """A story that asks both "is it 工伤?" and "how much?": whether it counts comes first (a death
    at work is 工伤 only within 48 hours of the first diagnosis), so the FAQ answer wins."""
    if _ASKS_IF_IT_COUNTS.search(text):
        return True
    return match.entry is not None and match.entry.topic.startswith("injury.")


# "Does it count?" asked in words: answering with amounts would take the answer for granted.
_ASKS_IF_IT_COUNTS = re.compile(r"算不算|算是.{0,6}[吗么]|是不是工伤|算工伤|属于工伤|因公殉职")


def as_json(match: Match | None, reply: Reply) -> dict:
    """The CLI contract of `courier-bot ask --json`."""
    entry = match.entry if match else None
    return {
        "answered": bool(entry),
        "id": entry.id if entry else None,
        "score": round(match.score, 1) if match else 0.0,
        "region": match.region if match and entry else None,
        "answer": plain(reply.text),
        "source": entry.source if entry else "",
        "followups": [f.id for f in reply.followups],
        "intent": reply.intent,
    }
