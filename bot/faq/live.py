"""The FAQ the bot serves, as one value: everything read from faq/ (entries and their sources,
synonyms, intents, benefit rules, facets), built and validated together so that a reload
(/reload, SIGHUP from `courier-bot faq reload`) can replace it whole with one assignment.

Guides are not part of it: a courier's guide in progress refers to its steps, so they stay as
loaded at start."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot import benefits
from bot.config import Config
from bot.faq import facets
from bot.faq.facets import FacetFinder
from bot.faq.intents import Intents
from bot.faq.loader import Knowledge, load
from bot.faq.matcher import Matcher

log = logging.getLogger(__name__)
PROBLEM_CHARS = 300  # one problem line, clipped: a report must fit a Telegram message


@dataclass(frozen=True)
class Faq:
    matcher: Matcher
    intents: Intents
    benefit_rules: benefits.Rules
    facets: FacetFinder


def build(config: Config, kb: Knowledge | None = None) -> Faq:
    """The FAQ in config.faq_dir, checked as on every start (entries, the sources registry and
    every number, benefits quotes, facet ids); raises on the first file that fails."""
    matcher = Matcher(kb or load(config.faq_dir), threshold=config.threshold)
    folder = config.faq_dir
    return Faq(
        matcher=matcher,
        intents=Intents(folder / "intents.toml"),
        benefit_rules=benefits.load(
            folder / "benefits.toml", matcher.kb.registry.articles(benefits.STATUTE)
        ),
        facets=FacetFinder(*facets.load(folder / "facets.toml", set(matcher.kb.by_id()))),
    )


@dataclass(frozen=True)
class Reread:
    """faq/ read again: the new FAQ, or why it cannot be served (the old one stays)."""

    faq: Faq | None
    problems: tuple[str, ...] = ()


def reread(config: Config) -> Reread:
    """Build the FAQ from disk again without raising: what is wrong becomes the problem list.
    Any error counts (a malformed file surfaces as a TOML, key or type error from its parser):
    whatever it is, the bot keeps serving the FAQ it has."""
    try:
        return Reread(build(config))
    except Exception as exc:
        log.debug("FAQ reload failed", exc_info=exc)  # the traceback, for a parser's own error
        return Reread(None, problems(exc))


def problems(exc: Exception) -> tuple[str, ...]:
    """One line per problem: the loader lists every broken entry at once."""
    found = getattr(exc, "problems", ()) or tuple(str(exc).splitlines()) or (type(exc).__name__,)
    return tuple(p[:PROBLEM_CHARS] for p in found if p.strip())
