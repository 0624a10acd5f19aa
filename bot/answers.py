"""The reply to an understood question: an entry's answer with the 「接下来」 lines its situation
calls for and its buttons, a computed benefit with the rest of the story, an entry's original
passages. Functions of the matcher in use (a /reload replaces it), so nothing here is cached
across FAQ versions but the wording check of two FAQ texts."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

from bot.faq.facets import Facet, FacetFinder
from bot.faq.loader import Entry
from bot.faq.matcher import Match, Matcher
from bot.feedback import buttons as vote_buttons
from bot.guides import flow
from bot.render import label, render
from bot.reply import FAQ, MENU, SOURCE, Reply
from bot.text import pairs

GUIDE_BUTTONS = {**flow.GUIDE_BUTTONS, "outlet": MENU + "outlet"}  # a facet's guide -> its button
FOLLOWUPS = 3  # lines in the 「接下来」 block
FAQ_BUTTONS = 3
PASSAGE_CLIP = 900  # characters of one passage under 查看原文: several fit one Telegram message
STATED = 0.6  # a follow-up whose short line shares this much of the answer's wording is
# already said: it is not repeated
MAX_CALLBACK_BYTES = 64  # Telegram's limit on a button's callback data


def answer(
    matcher: Matcher, facets: FacetFinder, match: Match, found: Sequence[Facet] = ()
) -> Reply:
    """The entry's answer, then the 「接下来」 lines the situation (`found`: the message's
    facets) calls for, then buttons: the guide that fits, a second question the message
    asked, the closest other topics."""
    entry = match.entry
    assert entry is not None  # only an answered match is answered
    followups = followups_for(matcher, entry, found, match.user_region)
    buttons = guide_buttons(facets.guide(found, entry.topic))
    seen = {entry.topic} | {f.topic for f in followups}
    extra = []
    for e in (
        ([match.second] if match.second else [])
        + [e for e in map(matcher.entry, entry.related) if e]
        + match.suggestions
    ):
        if e.topic not in seen:
            seen.add(e.topic)
            extra.append(e)
    faq = faq_buttons(as_seen(matcher, extra[:FAQ_BUTTONS], match.user_region))
    if match.second and faq:
        faq[0] = (label("also_ask", title=match.second.title), faq[0][1])
    return Reply(
        render("answer", entry=entry, match=match, followups=followups),
        buttons + faq + [(label("show_source"), SOURCE + entry.id), *vote_buttons(entry.id)],
        match,
        followups=followups,
    )


def computed(matcher: Matcher, text: str, found: Sequence[Facet], region: str | None) -> Reply:
    """A computed benefit, then the 「接下来」 lines of the rest of the story (单位不给赔 →
    劳动仲裁): the amounts are rarely all a story with a grade in it asks."""
    followups = [
        e for e in followups_for(matcher, None, found, region) if not e.topic.startswith("benefit.")
    ]
    text += "\n\n" + render("followups", followups=followups) if followups else ""
    return Reply(text, guide_buttons("assess"), intent="benefit", followups=followups)


def original(matcher: Matcher, entry_id: str) -> Reply | None:
    """📄 查看原文: the verbatim passages an entry cites, and the documents' full titles and
    numbers. None if the id is unknown (forged or stale)."""
    entry = matcher.entry(entry_id)
    if entry is None:
        return None
    cited = [matcher.kb.registry.resolve(c) for c in entry.cites]
    documents = list({c.document.key: c.document for c in cited}.values())
    return Reply(render("source", entry=entry, cited=cited, documents=documents, clip=PASSAGE_CLIP))


def followups_for(
    matcher: Matcher, entry: Entry | None, found: Sequence[Facet], region: str | None
) -> list[Entry]:
    """Up to FOLLOWUPS entries: the situation's facets' first, then the entry's related,
    each in the courier's region's variant, none on the answer's topic or already said, by
    the answer or by a line above it."""
    ids = [i for f in found for i in f.followups] + list(entry.related if entry else ())
    out, topics = [], {entry.topic} if entry else set()
    said = entry.answer if entry else ""
    for e in map(matcher.entry, dict.fromkeys(ids)):
        if e is None or e.topic in topics:
            continue
        e = matcher.variant(e, region) or e
        if not e.short or _stated(e.short, said):
            continue
        topics.add(e.topic)
        out.append(e)
        said += "\n" + e.short
        if len(out) == FOLLOWUPS:
            break
    return out


def as_seen(matcher: Matcher, entries: Iterable[Entry], region: str | None) -> list[Entry]:
    """Each topic as the courier would get it on pressing its button (their region's
    variant, else the national rule), so a button's label is the title of what it opens."""
    return [matcher.variant(e, region) or e for e in entries]


def guide_buttons(guide: str | None) -> list[tuple[str, str]]:
    return [(label("go_" + guide), GUIDE_BUTTONS[guide])] if guide else []


def faq_buttons(entries: Iterable[Entry]) -> list[tuple[str, str]]:
    return [
        (e.title, FAQ + e.id) for e in entries if len((FAQ + e.id).encode()) <= MAX_CALLBACK_BYTES
    ]


@functools.lru_cache(maxsize=4096)  # both texts come from the FAQ: the same pairs recur
def _stated(short: str, said: str) -> bool:
    """Whether most of a follow-up line's wording is already in the answer."""
    grams = {g for g in pairs(short) if g.isalnum()}
    return bool(grams) and sum(g in said for g in grams) / len(grams) >= STATED
