"""Leadership interview programmes: from tagged passages to a synthesis and per-leader reports.

Pure logic over an unlocked :class:`~store.vault.Store`; nothing here imports the UI. Three steps,
kept apart so the app can preview the exact bytes an export will write:

1. :func:`build` reads one programme (its sessions, notes, tags, people and strategy items) into a
   :class:`Synthesis`: the facilitator's full view (names, dates, private passages marked).
2. :func:`store.synthesis_report.programme_report` / ``leader_report`` project it into a plain,
   JSON-ready *document*, anonymised unless ``named=True``; :func:`store.synthesis_render.render`
   turns a document into Markdown, HTML or JSON.
3. :func:`store.synthesis_render.write_report` writes the bytes (a new 0600 file, never over an
   existing one, or stdout) and records the export in the vault.

Definitions (also in ``docs/programmes.md``):

* **Interviewee** - the participant of a session in the programme (``session.person_id``). Several
  sessions with the same person count as one interviewee.
* **Subject** - the leader a passage is about (``tag.subject_id``); no subject means the passage is
  about the team or the organisation.
* **Private passage** - a tag whose stage is private in the session's plan, or whose stage's note is
  marked private, or whose text appears in any private note of that session. Private passages are
  shown to the facilitator (marked) and never appear in an anonymised document.
* **Area** - where a current-state or future-state passage belongs: the *other* themes the same
  passage was tagged with in the same session (a passage "co-occurs" with another tag when their
  texts are equal or one contains the other, ignoring case and spacing), together with the
  passage's subject. A state passage with no other theme belongs to the area ``general``.
* **Gap** - an area with at least one future-state passage: somewhere the interviewees said where
  the team should be. Its current-state passages (possibly none) are listed beside it. An area with
  only current-state passages is shown but is not a gap. A gap's key is its theme (team-level) or
  ``"<theme>|<subject id>"`` (about one leader); strategy items store these keys.
* **Anonymity threshold** (``min_interviewees``, default 3) - in an anonymised document a theme
  (or an area) is shown only when at least that many *different* interviewees contributed the
  passages that would be shown; otherwise it is withheld and only the fact is stated.

An anonymised document carries no interviewee names (names of the programme's people are replaced
by ``[name]`` in every free text, except the leader's own name in their report and the leaders'
names in the programme's own name and purpose), no dates, no ids,
and never a private passage; passages are de-duplicated and sorted by their text, so their order
says nothing about who said what or when. The programme synthesis is about the team: passages
about a named leader appear only in that leader's report. A leader's report leaves out what the
leader said about themselves (they know it, and it must not help count to the threshold).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from .models import Person, Programme, StrategyItem

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

CURRENT = "current state"
FUTURE = "future state"
STATE_THEMES = (CURRENT, FUTURE)
GENERAL = "general"


# ================================================================== model


@dataclass(frozen=True)
class Passage:
    """One tag, with what the facilitator needs to see it in context."""

    tag_id: str
    session_id: str
    interviewee_id: str
    interviewee: str
    theme: str
    text: str
    stage: str
    stage_title: str
    subject_id: str | None
    subject: str | None
    private: bool
    day: date | None  # the day of the interview (local time)

    @property
    def own_view(self) -> bool:
        """The interviewee is talking about themselves."""
        return self.subject_id is not None and self.subject_id == self.interviewee_id


def gap_key(theme: str, subject_id: str | None) -> str:
    return theme if subject_id is None else f"{theme}|{subject_id}"


@dataclass(frozen=True)
class Area:
    """Current-state and future-state passages about one theme (and subject), side by side."""

    theme: str
    subject_id: str | None
    subject: str | None
    current: tuple[Passage, ...]
    future: tuple[Passage, ...]

    @property
    def key(self) -> str:
        return gap_key(self.theme, self.subject_id)

    @property
    def is_gap(self) -> bool:
        return bool(self.future)

    @property
    def label(self) -> str:
        return f"{self.theme} · {self.subject}" if self.subject else self.theme


@dataclass(frozen=True)
class Synthesis:
    """Everything tagged in one programme: the facilitator's own, full view."""

    programme: Programme
    sessions: int
    interviewees: tuple[Person, ...]  # by name
    themes: tuple[str, ...]  # the programme's themes, then any other theme used, by name
    passages: tuple[Passage, ...]  # in the order they were tagged
    strategy: tuple[StrategyItem, ...]
    areas: tuple[Area, ...] = ()
    people: Mapping[str, Person] = field(default_factory=dict)

    # ------------------------------------------------------------------ matrix
    def count(self, theme: str, interviewee_id: str | None = None) -> int:
        return len(self.cell(theme, interviewee_id))

    def cell(self, theme: str | None, interviewee_id: str | None = None) -> list[Passage]:
        """The passages under ``theme`` (every theme: ``None``), from one interviewee or all."""
        return [p for p in self.passages
                if (theme is None or p.theme == theme)
                and (interviewee_id is None or p.interviewee_id == interviewee_id)]

    def matrix(self) -> list[tuple[str, list[int]]]:
        """One row per theme: the passage count per interviewee (in ``interviewees`` order)."""
        return [(theme, [self.count(theme, person.id) for person in self.interviewees])
                for theme in self.themes]

    def leader_matrix(self, *, with_private: bool = True
                      ) -> list[tuple[str, list[tuple[int, int]]]]:
        """Leader x theme, across the leaders passages are about (:attr:`subjects` order): one
        row per theme, per leader (passages, different interviewees). What a leader said about
        themselves is left out (it must not count towards the threshold); private passages
        only ``with_private``."""
        leaders = self.subjects
        rows = []
        for theme in self.themes:
            cells = []
            for leader in leaders:
                found = [p for p in self.passages if p.theme == theme
                         and p.subject_id == leader.id and not p.own_view
                         and (with_private or not p.private)]
                cells.append((len(found), len({p.interviewee_id for p in found})))
            rows.append((theme, cells))
        return rows

    # ------------------------------------------------------------------ areas, gaps, strategy
    @property
    def gaps(self) -> tuple[Area, ...]:
        return tuple(a for a in self.areas if a.is_gap)

    def area(self, key: str) -> Area | None:
        return next((a for a in self.areas if a.key == key), None)

    def passage(self, tag_id: str) -> Passage | None:
        return next((p for p in self.passages if p.tag_id == tag_id), None)

    @property
    def subjects(self) -> tuple[Person, ...]:
        """The leaders at least one passage is about, by name."""
        ids = {p.subject_id for p in self.passages if p.subject_id}
        found = [self.people[i] for i in ids if i in self.people]
        return tuple(sorted(found, key=lambda p: (p.name.casefold(), p.id)))

    def gap_label(self, key: str) -> str:
        area = self.area(key)
        if area is not None:
            return area.label
        theme, _, subject_id = key.partition("|")
        person = self.people.get(subject_id) if subject_id else None
        return f"{theme} · {person.name}" if person else theme


# ================================================================== build (reads the vault)


def norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def build(store: Store, programme_id: str) -> Synthesis:
    """Reads the programme and everything tagged in it. Raises NotFound for an unknown id."""
    programme = store.programme(programme_id)
    sessions = {s.id: s for s in store.sessions(programme_id=programme_id)}
    people = {p.id: p for p in store.people()}
    tags = [t for t in store.tags(programme_id=programme_id) if t.session_id in sessions]

    private_of: dict[str, tuple[set[str], list[str]]] = {}
    for sid, session in sessions.items():
        private_stages = {str(st.get("key")) for st in session.stages if st.get("private") is True}
        private_texts = []
        for note in store.notes(sid):
            if note.private or note.stage in private_stages:
                private_stages.add(note.stage)
                if note.text.strip():
                    private_texts.append(norm(note.text))
        private_of[sid] = (private_stages, private_texts)

    passages = []
    for tag in tags:
        session = sessions[tag.session_id]
        stages, texts = private_of[tag.session_id]
        wanted = norm(tag.passage)
        private = tag.stage in stages or any(wanted in t for t in texts)
        titles = {str(st.get("key")): str(st.get("title") or st.get("key")) for st in session.stages}
        person = people.get(session.person_id)
        subject = people.get(tag.subject_id) if tag.subject_id else None
        passages.append(Passage(
            tag_id=tag.id, session_id=tag.session_id, interviewee_id=session.person_id,
            interviewee=person.name if person else "unknown person", theme=tag.theme,
            text=tag.passage, stage=tag.stage, stage_title=titles.get(tag.stage, tag.stage),
            subject_id=tag.subject_id, subject=subject.name if subject else None, private=private,
            day=session.started_at.astimezone().date() if session.started_at else None))

    seen = list(programme.themes)
    extra = sorted({p.theme for p in passages} - set(seen), key=str.casefold)
    themes = tuple(seen + extra)
    interviewees = tuple(sorted((people[s.person_id] for s in sessions.values()
                                 if s.person_id in people),
                                key=lambda p: (p.name.casefold(), p.id)))
    interviewees = tuple(dict.fromkeys(interviewees))
    return Synthesis(
        programme=programme, sessions=len(sessions), interviewees=interviewees, themes=themes,
        passages=tuple(passages), strategy=tuple(store.strategy_items(programme_id)),
        areas=_areas(passages, themes, people), people=people)


def _co_occurring(passage: Passage, others: Iterable[Passage]) -> list[Passage]:
    mine = norm(passage.text)
    return [o for o in others if o.tag_id != passage.tag_id and o.session_id == passage.session_id
            and o.theme not in STATE_THEMES
            and (mine == norm(o.text) or mine in norm(o.text) or norm(o.text) in mine)]


def _areas(passages: Sequence[Passage], themes: Sequence[str],
           people: Mapping[str, Person]) -> tuple[Area, ...]:
    buckets: dict[tuple[str, str | None], tuple[list[Passage], list[Passage]]] = {}
    for p in passages:
        if p.theme not in STATE_THEMES:
            continue
        co = _co_occurring(p, passages)
        area_themes = list(dict.fromkeys(o.theme for o in co)) or [GENERAL]
        subject = p.subject_id
        if subject is None:
            co_subjects = {o.subject_id for o in co if o.subject_id}
            subject = co_subjects.pop() if len(co_subjects) == 1 else None
        for theme in area_themes:
            current, future = buckets.setdefault((theme, subject), ([], []))
            (current if p.theme == CURRENT else future).append(p)
    order = {t: i for i, t in enumerate(themes)}

    def sort_key(key: tuple[str, str | None]) -> tuple[bool, int, str, str]:
        theme, subject = key
        name = people[subject].name.casefold() if subject is not None and subject in people else ""
        return (subject is not None, order.get(theme, len(order)), theme.casefold(), name)

    out = []
    for key in sorted(buckets, key=sort_key):
        theme, subject = key
        current, future = buckets[key]
        person = people.get(subject) if subject else None
        out.append(Area(theme=theme, subject_id=subject, subject=person.name if person else None,
                        current=tuple(current), future=tuple(future)))
    return tuple(out)
