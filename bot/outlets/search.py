"""Looking an outlet up: the Search part of Registry (by licence/filing number exactly, else by
name through the FTS index of pinyin syllable pairs, reranked with rapidfuzz), when it decides
(a clear best, a name typed in full, or the only outlet the courier's words fit), the scoring
knobs, and what a lookup returns (LookupResult with its Candidates and status).
"""

from __future__ import annotations

import itertools
import logging
import re
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot import regions
from bot.outlets import fullname
from bot.outlets.names import (
    FILLERS,
    Wording,
    brand_words,
    brands_in,
    core,
    number_key,
    region_term,
    terms,
)
from bot.text import norm, syllables

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)

# --- scoring knobs (tuned on tests/test_outlets_lookup.py) ------------------------------------
CONFIDENT = 80.0  # best score at or above this (and clear of the runner-up) is "the" outlet
MARGIN = 5.0  # ... clear = at least this many points above the next different outlet
FLOOR = 60.0  # candidates below this are not shown at all (no guessing)
BRAND_WEIGHT = 0.15  # share of the score that is brand agreement, when the query names a brand
PINYIN_DISCOUNT = 0.95  # a match by sound only is a little less sure than by characters
MAX_CANDIDATES = 5
FTS_LIMIT = 200  # candidates fetched by the index, then reranked with rapidfuzz
COMMON_SHARE = 0.02  # index terms in more than this share of outlets are too common to search by
MAX_TERMS = 8
EXACT_LIMIT = 50  # outlets holding every term of a name typed in full; more: the index can't tell
FIT_LIMIT = 300  # outlets checked for fitting the courier's words; more: can't tell

INSURED, NOT_INSURED, UNKNOWN, AMBIGUOUS = "insured", "not_insured", "unknown", "ambiguous"

# An outlet as shown: its row plus the list (batch) it was last seen in.
SELECT = (
    "select o.*, b.source, b.as_of, b.sample from outlets o"
    " join import_batches b on b.id = o.batch_id"
)


@dataclass
class Candidate:
    outlet: dict
    score: float
    other_brand: bool = False  # the query named a brand and this outlet is another brand's

    def as_json(self) -> dict:
        o = self.outlet
        return {
            "number": o["number"],
            "name": o["name"],
            "province": o["province"] or "",
            "city": o["city"] or "",
            "county": o["county"] or "",
            "insured": bool(o["insured"]),
            "score": round(self.score, 1),
        }


@dataclass
class LookupResult:
    query: str
    region: str | None = None
    status: str = UNKNOWN
    candidates: list[Candidate] = field(default_factory=list)
    via: str = "name"  # name | number | pick
    full_name: bool = False  # the query is an outlet's name in full (in the region searched)
    vague: bool = False  # only a brand or generic words: more detail is needed
    more: bool = False  # vague, and more outlets of the brand than candidates: ask for detail
    empty: bool = False  # nothing to search for

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def as_json(self) -> dict:
        """The CLI contract of `courier-bot outlets lookup --json`."""
        return {"status": self.status, "candidates": [c.as_json() for c in self.candidates]}


class Search:
    """Registry's lookup methods (they use its `db`)."""

    db: sqlite_utils.Database  # set by Registry.__init__

    def lookup(self, query: str, region: str | None = None) -> LookupResult:
        """Find an outlet by number (exact) or name (fuzzy) within `region` (a canonical region:
        a province filters by province, 济宁/长治 by city; None or 全国 searches everything)."""
        region = None if region in (None, regions.NATIONAL) else region
        result = LookupResult(query=query, region=region)
        text = norm(query)
        if not text:
            result.empty = True
            return result
        by_number = self._by_number(query)
        if by_number:
            result.via = "number"
            result.candidates = [Candidate(o, 100.0) for o in by_number]  # exact: any region
            return self._decide(result)
        typed = text
        apart, rest = brand_words(query)  # 韵达 镇北路: 韵达, where 韵达镇北路 reads as a place
        text = FILLERS.sub("", rest) or rest
        brands = apart | brands_in(text, by_sound=not apart)  # 祥柏市场 圆通: not 百世 (柏市)
        q_core = core(text, brands)
        if len(q_core) < 2:
            # Only a brand: its outlets (in the region) are offered when few, never decided.
            result.vague = True
            if brands:
                rows = self._brand_rows(brands, self._region_match(region), MAX_CANDIDATES + 1)
                result.more = len(rows) > MAX_CANDIDATES
                result.candidates = [Candidate(r, 0.0) for r in rows[:MAX_CANDIDATES]]
            result.status = AMBIGUOUS if result.candidates else UNKNOWN
            return result
        rows = self._candidates(q_core, brands, region)
        result.candidates = _rank(q_core, brands, rows)
        exact = self._typed_in_full(typed, region)
        if exact:
            return _decide_exact(result, exact)
        return self._decide(result, Wording.of(text, brands), region)

    def is_full_name(self, query: str) -> bool:
        """Whether the query is some outlet's name in full, anywhere: a courier's region must not
        hide it behind look-alikes of its own."""
        return bool(self._typed_in_full(norm(query), None))

    def _typed_in_full(self, typed: str, region: str | None) -> list[dict]:
        """Outlets (in the region) whose full name the normalised query is: as typed, or with
        nothing around it but the words of a question (交没交工伤保险, 请问 …) and the outlet's
        own place (济宁, （铁西区）, 吉林四平)."""
        bare = FILLERS.sub("", typed) or typed
        found = self._exact(list(dict.fromkeys([typed, *fullname.forms(bare)])), region)
        return [r for r in found if norm(r["name"]) == typed or fullname.framed(bare, r)]

    def _by_number(self, query: str) -> list[dict]:
        key = number_key(query)
        if len(key) < 3:
            return []
        rows = list(self.db.query(SELECT + " where o.key = ?", ["no:" + key]))
        digits = re.sub(r"\D", "", key)
        if not rows and len(digits) >= max(6, len(key) - 4):  # mostly digits: 2022001
            rows = list(self.db.query(SELECT + " where o.number_digits = ?", [digits]))
        return rows

    def _region_match(self, region: str | None) -> str:
        if not region:
            return ""
        kind = "c" if regions.DOC_REGIONS.get(region) else "p"
        return f'"{region_term(kind, region)}" AND '

    def same_brand(self, outlet: dict, exclude: set[int], limit: int) -> list[Candidate]:
        """Other outlets of `outlet`'s brand in its city (else its province), lowest id first:
        the likelier mix-ups under a hit than another brand's outlet with a similar name."""
        brand, city, province = outlet["brand"], outlet["city_key"], outlet["province"]
        place = region_term("c", city) if city else region_term("p", province)
        if not brand or not place or limit <= 0:
            return []
        rows = self._brand_rows({brand}, f'"{place}" AND ', limit + len(exclude))
        return [Candidate(r, 0.0) for r in rows if r["id"] not in exclude][:limit]

    def _brand_rows(self, brands: set[str], where: str, limit: int) -> list[dict]:
        """Up to `limit` outlets of `brands` matching `where` (a region prefix), lowest id first."""
        names = sorted(brands)
        sounds = " OR ".join(f'"{"".join(syllables(b))}"' for b in names)
        ids = [
            r[0]
            for r in self.db.execute(
                "select f.rowid from outlets_fts f join outlets o on o.id = f.rowid"
                f" where outlets_fts match ? and o.brand in ({', '.join('?' * len(names))})"
                " order by f.rowid limit ?",
                [where + f"({sounds})", *names, limit],
            )
        ]
        return sorted(self._rows(ids), key=lambda r: r["id"])

    def _rows(self, ids: list[int]) -> list[dict]:
        if not ids:
            return []
        return list(self.db.query(SELECT + f" where o.id in ({', '.join('?' * len(ids))})", ids))

    def _candidates(self, q_core: str, brands: set[str], region: str | None) -> list[dict]:
        """Outlets worth scoring: first those whose names hold every syllable pair of the query
        (any order, homophones included; selective, so cheap); when that finds few (a typo), those
        holding any of its rarer pairs, best BM25 first. Each also within the named brand, so
        other brands' outlets with the same place name cannot crowd it out."""
        wanted = list(dict.fromkeys(terms(q_core)))
        df = self._df(wanted)
        known = sorted((t for t in wanted if df.get(t)), key=lambda t: df[t])
        if not known:
            return []
        where = self._region_match(region)
        brand = " OR ".join(f'"{"".join(syllables(b))}"' for b in sorted(brands))
        ids: list[int] = []

        def search(expr: str, limit: int) -> None:
            ids.extend(self._match(where + expr, limit))

        quoted = {t: f'"{t}"' for t in known}  # a term is never read as an FTS5 operator
        if len(known) == len(wanted):
            every = "(" + " AND ".join(quoted[t] for t in known) + ")"
            search(every, FTS_LIMIT)
            if brand:
                search(f"{every} AND ({brand})", FTS_LIMIT // 2)
        if len(set(ids)) < FTS_LIMIT // 4:
            common = max(50, COMMON_SHARE * self._size())
            rare = ([t for t in known if df[t] <= common] or known[:2])[:MAX_TERMS]
            some = "(" + " OR ".join(quoted[t] for t in rare) + ")"
            search(some, FTS_LIMIT)
            if brand:
                search(f"{some} AND ({brand})", FTS_LIMIT // 2)
        return self._rows(list(dict.fromkeys(ids)))

    def _df(self, wanted: list[str]) -> dict[str, int]:
        """How many outlets' names hold each term (terms no name holds are left out)."""
        return dict(
            self.db.execute(
                f"select term, df from outlet_terms where term in ({', '.join('?' * len(wanted))})",
                wanted,
            ).fetchall()
        )

    def _match(
        self, expr: str, limit: int, ranked: bool = True, brands: frozenset[str] = frozenset()
    ) -> list[int]:
        """Ids of outlets matching an FTS expression (best BM25 first, if `ranked`), only those
        of `brands` (by the list's brand column) if given."""
        sql = "select f.rowid from outlets_fts f"
        args: list = [expr]
        if brands:
            sql += " join outlets o on o.id = f.rowid"
        sql += " where outlets_fts match ?"
        if brands:
            sql += f" and o.brand in ({', '.join('?' * len(brands))})"
            args += sorted(brands)
        sql += " order by rank limit ?" if ranked else " limit ?"
        try:
            return [r[0] for r in self.db.execute(sql, [*args, limit])]
        except sqlite3.OperationalError as exc:  # a term FTS5 cannot take: search without it
            log.warning("outlet search failed (%s); searching without the index", exc)
            return []

    @staticmethod
    def _all_of(wanted: list[str]) -> str:
        return "(" + " AND ".join(f'"{t}"' for t in wanted) + ")"  # never read as an operator

    def _exact(self, names: list[str], region: str | None) -> list[dict]:
        """Outlets (in the region) whose normalised name is one of `names`: the query typed in
        full. Fetched by the rarest terms of the name, all of which such an outlet holds; when
        too many outlets hold them the index cannot tell, and the ranking decides as usual."""
        found: dict[int, dict] = {}
        for name in names:
            wanted = list(dict.fromkeys(terms(name)))
            df = self._df(wanted)
            if not wanted or not all(df.get(t) for t in wanted):
                continue  # a term no outlet's name holds
            rare = sorted(wanted, key=lambda t: (df[t], t))[:MAX_TERMS]
            ids = self._match(self._region_match(region) + self._all_of(rare), EXACT_LIMIT, False)
            if len(ids) < EXACT_LIMIT:
                found |= {r["id"]: r for r in self._rows(ids) if norm(r["name"]) == name}
        return [found[i] for i in sorted(found)]

    def _all_fitting(self, wording: Wording, region: str | None) -> list[int] | None:
        """Ids of every outlet (in the region) the courier's words fit; None when there are too
        many to tell. Each holds the words' index terms, so the index finds them all."""
        wanted = wording.index_terms()
        if not wanted:
            return None
        expr = self._region_match(region) + self._all_of(wanted)
        ids = self._match(expr, FIT_LIMIT, ranked=False, brands=wording.brands)
        if len(ids) >= FIT_LIMIT:
            return None
        return [r["id"] for r in self._rows(ids) if wording.fits(norm(r["name"]), r["brand"])]

    def _size(self) -> int:
        """About how many outlets there are (max id: O(log n), where count(*) reads them all)."""
        return self.db.execute("select coalesce(max(id), 1) from outlets").fetchone()[0]

    def _decide(
        self, result: LookupResult, wording: Wording | None = None, region: str | None = None
    ) -> LookupResult:
        """Decide on the only outlet in the list the courier's words (`wording`) fit; when they
        fit none of the candidates (a typo beyond sound, extra words), on a clear best by score.
        Anything else is ambiguous, and the candidates the words fit are offered first."""
        ranked = [c for c in result.candidates if c.score >= FLOOR]
        if not ranked:
            result.candidates, result.status = [], UNKNOWN
            return result
        best = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        fitting = [
            c for c in ranked if wording and wording.fits(norm(c.outlet["name"]), c.outlet["brand"])
        ]
        # Another brand's outlet is never taken for the one asked about: the courier picks.
        clear = (
            best.score >= CONFIDENT and best.score - runner_up >= MARGIN and not best.other_brand
        )
        decided = best if clear and not fitting else None
        if wording and len(fitting) == 1:  # the only one in the list, or best and clear
            every = self._all_fitting(wording, region)
            if every == [fitting[0].outlet["id"]] or (
                every is None and clear and best is fitting[0]
            ):
                decided = fitting[0]
        first = [decided] if decided else fitting
        ahead = {id(c) for c in first}
        result.candidates = (first + [c for c in ranked if id(c) not in ahead])[:MAX_CANDIDATES]
        result.status = status_of(decided.outlet) if decided else AMBIGUOUS
        return result


def _decide_exact(result: LookupResult, exact: list[dict]) -> LookupResult:
    """The query is an outlet's name in full: that outlet, or (the same name in several places)
    those outlets to pick from, ahead of the ranked look-alikes."""
    ids = {r["id"] for r in exact}
    rest = [c for c in result.candidates if c.outlet["id"] not in ids and c.score >= FLOOR]
    result.candidates = ([Candidate(r, 100.0) for r in exact] + rest)[:MAX_CANDIDATES]
    result.status = status_of(exact[0]) if len(exact) == 1 else AMBIGUOUS
    result.full_name = True
    return result


def status_of(outlet: dict) -> str:
    return INSURED if outlet["insured"] else NOT_INSURED


def in_region(outlet: dict, region: str) -> bool:
    """Whether an outlet lies in a canonical region: a document city (济宁, 长治) by its city,
    anything else by its province — the same split as the index's region terms."""
    if region == regions.NATIONAL:
        return True
    if regions.DOC_REGIONS.get(region):
        return outlet["city_key"] == region
    return outlet["province"] == region


def _cover(query: list[str], other: list[str]) -> float:
    """Share of the query's adjacent pairs (or lone item) found in `other`, 0-100."""
    q = {a + "|" + b for a, b in itertools.pairwise(query)} or set(query)
    o = {a + "|" + b for a, b in itertools.pairwise(other)} | set(other)
    return 100.0 * len(q & o) / len(q) if q else 0.0


def _rank(q_core: str, brands: set[str], rows: list[dict]) -> list[Candidate]:
    """Score candidates: half rapidfuzz WRatio, half coverage of the query's character pairs, on
    characters or (slightly discounted) on pinyin; then brand agreement when a brand was named."""
    if not rows:
        return []
    names = [norm(r["name"]) for r in rows]
    cores = [
        core(n, {r["brand"]} if r["brand"] else set()) or n
        for n, r in zip(names, rows, strict=False)
    ]
    q_syl = syllables(q_core)
    q_sound = " ".join(q_syl)
    sounds = [" ".join(syllables(c)) for c in cores]
    by_char = {i: s for _, s, i in process.extract(q_core, cores, scorer=fuzz.WRatio, limit=None)}
    by_sound = {
        i: s for _, s, i in process.extract(q_sound, sounds, scorer=fuzz.WRatio, limit=None)
    }
    ranked = []
    for i, row in enumerate(rows):
        chars = 0.5 * by_char[i] + 0.5 * _cover(list(q_core), list(cores[i]))
        sound = 0.5 * by_sound[i] + 0.5 * _cover(q_syl, sounds[i].split())
        score = max(chars, PINYIN_DISCOUNT * sound)
        other = bool(brands) and row["brand"] is not None and row["brand"] not in brands
        if brands:
            score = (1 - BRAND_WEIGHT) * score + BRAND_WEIGHT * (
                100.0 if row["brand"] in brands else 0.0
            )
        ranked.append(Candidate(row, score, other_brand=other))
    ranked.sort(key=lambda c: (-c.score, c.outlet["id"]))
    return ranked
