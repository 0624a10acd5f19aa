"""What a finished guide's answers mean: the rule that applies, who files, and the computed dates.

Only facts; the words are in the templates (bot/templates/result_*.j2, checklist*.j2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot import dates, regions

# Every deadline below is built with dates.deadline(): a last day that falls on a statutory holiday
# moves to the day after it (《民法典》第二百零三条). review_from is not a last day: it stays.

# 《工伤保险条例》 item for each "what happened" answer of the injury guide.
ARTICLES = {
    "at_work": "第十四条第（一）项",
    "prep": "第十四条第（二）项",
    "violence": "第十四条第（三）项",
    "disease": "第十四条第（四）项",
    "errand": "第十四条第（一）项、第（五）项",
    "commute": "第十四条第（六）项",
    "sudden_death": "第十五条第（一）项",
}
# 《工伤保险条例》第三十五至三十七条: one-off disability subsidy, months of 本人工资, by grade.
SUBSIDY_MONTHS = {1: 27, 2: 25, 3: 23, 4: 21, 5: 18, 6: 16, 7: 13, 8: 11, 9: 9, 10: 7}
EMPLOYER_DAYS, ASSESS_DAYS, ASSESS_EXTRA_DAYS, REASSESS_DAYS = 30, 60, 30, 15
# The injury guide's date steps, one per branch (faq/guides/injury.toml); a courier answers one.
DATE_STEPS = ("date", "commute_date", "onset_date")


@dataclass
class Outcome:
    guide: str
    answers: dict
    today: date
    stop: str | None = None
    deadlines: list[dates.Deadline] = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    def deadline(self, key: str) -> dates.Deadline | None:
        return next((d for d in self.deadlines if d.key == key), None)

    @property
    def upcoming(self) -> list[dates.Deadline]:
        """Deadlines still ahead that the courier should act on or check (reminders): their own,
        and the outlet's 30 days (to ask whether it has applied). A stop shows its dates but
        offers no reminders: it ends without the filing checklist the reminders go with."""
        if self.stop:
            return []
        return [d for d in self.deadlines if not d.passed and d.key in REMINDABLE]


# kin_apply: the 1 year of 第十七条 when the worker died (视同工伤), filed by 近亲属 or the union.
REMINDABLE = {"employer_apply", "self_apply", "kin_apply", "reassess"}


def injury(answers: dict, today: date, stop: str | None = None) -> Outcome:
    """The 第十七条 deadlines whenever a date was given: stops that say "you can still apply"
    print them too. Only "other" stops before the date is asked."""
    out = Outcome("injury", answers, today, stop)
    typed = next((answers[s] for s in DATE_STEPS if s in answers), None)
    if typed is None:
        return out
    day = date.fromisoformat(typed)
    out.facts["article"] = ARTICLES.get(answers["what"], "")
    out.facts["accident_day"] = day
    if answers.get("employer_applied") != "yes":
        out.deadlines.append(
            dates.deadline("employer_apply", dates.add_days(day, EMPLOYER_DAYS), today)
        )
    own = "kin_apply" if answers["what"] == "sudden_death" else "self_apply"
    out.deadlines.append(dates.deadline(own, dates.add_years(day, 1), today))
    return out


def assess(answers: dict, today: date, stop: str | None = None) -> Outcome:
    out = Outcome("assess", answers, today, stop)
    if stop:
        return out
    if "applied_on" in answers:
        applied = date.fromisoformat(answers["applied_on"])
        out.deadlines.append(
            dates.deadline("conclusion_due", dates.add_days(applied, ASSESS_DAYS), today)
        )
        out.deadlines.append(
            dates.deadline(
                "conclusion_due_extended",
                dates.add_days(applied, ASSESS_DAYS + ASSESS_EXTRA_DAYS),
                today,
            )
        )
    if "received_on" in answers:
        received = date.fromisoformat(answers["received_on"])
        out.deadlines.append(
            dates.deadline("reassess", dates.add_days(received, REASSESS_DAYS), today)
        )
        out.facts["review_from"] = dates.add_years(received, 1)
    grade = answers.get("grade", "none")
    if grade.isdigit():
        out.facts["grade"] = int(grade)
        out.facts["subsidy_months"] = SUBSIDY_MONTHS[int(grade)]
    return out


def compute(guide: str, answers: dict, today: date, stop: str | None = None) -> Outcome:
    out = {"injury": injury, "assess": assess}[guide](answers, today, stop)
    _no_local_docs(out)
    return out


def _no_local_docs(out: Outcome) -> None:
    """The results rest on national rules unless the region has documents of its own in faq/: say
    so, rather than letting a courier in 江苏 assume the answer is 江苏's."""
    region = out.answers.get("region")
    if region and region not in regions.DOC_REGIONS:
        out.facts["no_local_docs"] = regions.full_name(region)
