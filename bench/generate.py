#!/usr/bin/env python3
"""Builds realistic Rapport vaults for the benchmarks, through the store's public API only.

    .venv/bin/python bench/generate.py [--sessions 10000] [--people 200] [--force]

A vault of N sessions over P people: every session is started from a built-in guide's snapshot
(``Guide.to_snapshot()``), gets about 2 KB of notes over two to four stages (``save_note``), zero to
three items (``add_item``), the time spent per stage (``save_session_state``) and, except for the
newest few, an end (``end_session``); about one jot per five sessions (``add_jot``). The text is
note-like prose with non-ASCII names and words (Zoë, Łukasz, 陈美, ليلى, straße, café, emoji).

Marker words make searches predictable: ``quokka`` is in the notes of every 100th session (N/100
sessions), ``kestrel`` in exactly one. Production key-derivation parameters (unlock is measured).

Vaults are cached under ``bench/out/vault-s{N}-p{P}-g{GEN}/``: ``home/vault.db`` (use with
``rapport --home``), ``passphrase`` (use with ``--passphrase-file``) and ``manifest.json``.
Generation runs in /dev/shm when it exists (commits there cost no fsync: the records, the
encryption and every code path are the store's own; only the disk is faster), then the closed,
checkpointed file is copied into the cache.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from common import doc_help  # noqa: E402

OUT = HERE / "out"
GEN_VERSION = 3  # bump when the generated content changes (2: row summary, outlines; 3: goals, pulses, feedback)
PASSPHRASE = "bench: correct horse battery staple"
RARE_WORD = "quokka"  # in every 100th session's notes
UNIQUE_WORD = "kestrel"  # in exactly one session's notes
NOTE_CHARS = 2048  # notes per session, all stages together (about)
ACTIVE_SESSIONS = 5  # the newest few stay active (unfinished)

FIRST = ["Alex", "Sam", "Jordan", "Priya", "Chen", "Fatima", "Lukas", "Sofia", "Mateo", "Aiko",
         "Olu", "Ingrid", "Rahul", "Mei", "Tomás", "Amara", "Noah", "Elena", "Kwame", "Yuki",
         "Zoë", "Łukasz", "Ayşe", "José", "Ørjan", "Siobhán", "François", "Björk", "Nguyễn",
         "陈美", "ليلى", "Даша", "Anaïs", "Gülşen", "Renée", "Jürgen"]
LAST = ["Okafor", "Lindqvist", "García", "Nakamura", "Kowalski", "Haddad", "Müller", "Rossi",
        "Dubois", "Øvergaard", "Novák", "Ó Briain", "Singh", "Tanaka", "Silva", "Hernández",
        "Eriksson", "Papadopoulos", "Yılmaz", "Schäfer", "Nguyen", "Park", "Mensah", "Costa"]
ROLES = ["engineer", "senior engineer", "designer", "product manager", "data analyst",
         "team lead", "support specialist", "researcher", "QA engineer", "SRE"]
TOPICS = ["the roadmap", "the Q3 release", "on-call load", "code review turnaround", "the hiring "
          "loop", "the migration to the new billing service", "onboarding docs", "the incident "
          "postmortem", "career growth", "the promotion packet", "team rituals", "remote work",
          "the design system", "customer escalations", "test flakiness", "the café budget",
          "the straße-naming bug in the address parser", "sprint planning", "the résumé screen",
          "cross-team dependencies", "focus time", "conference talk proposal", "mentoring Zoë"]
FEELINGS = ["energised", "a bit stretched", "frustrated", "proud", "unsure", "calm", "tired but "
            "positive", "worried", "motivated", "overloaded", "curious", "relieved"]
VERBS = ["raised", "brought up", "mentioned", "asked about", "pushed back on", "was excited about",
         "wants more clarity on", "is blocked by", "suggested changes to", "volunteered for"]
ACTIONS = ["write a one-page proposal", "pair with the platform team", "book a design review",
           "draft the rollout plan", "share the metrics dashboard", "set up a weekly sync",
           "review the on-call rota", "ask for budget for the course", "update the runbook",
           "prepare the demo", "talk to the stakeholders", "close the stale tickets"]
GOALS = ["lead a project end to end", "present at the all-hands", "get the AWS certification",
         "mentor a new joiner", "reduce pager noise by half", "own the release process",
         "improve written communication", "ship the accessibility audit"]
EXTRAS = ["Said the new process is naïve about time zones.", "Working hybrid, in the office "
          "Tuesdays.", "Asked for candid feedback on the last demo 🙂.", "Wants to coöperate more "
          "with design.", "Felt the retro was déjà vu.", "Mentioned family leave in spring.",
          "Noted the façade of the old API is leaking.", "Enjoyed the über-fast CI after caching.",
          "Thanked the team for covering on-call.", "Prefers async updates over meetings."]
JOTS = ["Noticed {n} helped a new joiner debug the pipeline; mention it next time.",
        "{n} seemed quiet in the planning meeting; check in about workload.",
        "Great write-up from {n} on the incident, worth recognising.",
        "{n} asked in chat about the conference budget.",
        "Observed {n} interrupting peers twice in the design review; raise gently.",
        "{n} shipped the café-ordering fix ahead of schedule 🎉."]


class SimClock:
    """A clock the generator moves by hand, so records carry realistic timestamps over years."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def key_for(sessions: int, people: int) -> str:
    return f"vault-s{sessions}-p{people}-g{GEN_VERSION}"


def cache_dir(sessions: int, people: int) -> Path:
    return OUT / key_for(sessions, people)


def _sentence(rng: random.Random, name: str) -> str:
    kind = rng.random()
    if kind < 0.35:
        return f"{name} {rng.choice(VERBS)} {rng.choice(TOPICS)}."
    if kind < 0.55:
        return f"Feeling {rng.choice(FEELINGS)} about {rng.choice(TOPICS)}."
    if kind < 0.75:
        return (f"We discussed {rng.choice(TOPICS)} and {rng.choice(TOPICS)}; "
                f"next step is to {rng.choice(ACTIONS)}.")
    if kind < 0.9:
        return rng.choice(EXTRAS)
    return f"Long-term, {name} would like to {rng.choice(GOALS)}."


def note_text(rng: random.Random, name: str, chars: int) -> str:
    parts: list[str] = []
    size = 0
    while size < chars:
        s = _sentence(rng, name)
        if rng.random() < 0.15:
            s = "- " + s + "\n"
        parts.append(s)
        size += len(s) + 1
    return " ".join(parts)[:chars].rstrip()


def build(target: Path, sessions: int, people: int, *, seed: int = 7, progress=print) -> dict:
    """Creates the vault at ``target/home/vault.db`` through the Store API; returns the manifest."""
    from guides.loader import builtin_guides
    from store import crypto
    from store import create_vault

    rng = random.Random(seed)
    guides = {g.id: g.to_snapshot() for g in builtin_guides()}
    weights = {"one-on-one": 0.8, "feedback": 0.15, "leadership-interview": 0.05}
    guide_ids = [g for g in weights if g in guides] or list(guides)
    guide_w = [weights.get(g, 0.1) for g in guide_ids]
    years = max(1, round(sessions / 2000))  # 10k sessions: five years
    start = datetime(2021, 1, 4, 9, 0, tzinfo=timezone.utc)
    span = timedelta(days=365 * years)
    step = span / max(1, sessions)
    clock = SimClock(start - timedelta(days=7))
    home = target / "home"
    home.mkdir(parents=True, exist_ok=True)
    store = create_vault(home / "vault.db", PASSPHRASE, kdf=crypto.PRODUCTION, clock=clock)
    counts = {"people": 0, "sessions": 0, "notes": 0, "items": 0, "jots": 0, "note_chars": 0,
              "checkins": 0, "pulses": 0, "feedback": 0,
              RARE_WORD: 0, UNIQUE_WORD: 0, "active": 0}
    t0 = time.perf_counter()
    try:
        persons = []
        for i in range(people):
            name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 7 + i // len(FIRST)) % len(LAST)]}"
            if i >= len(FIRST) * len(LAST):
                name += f" {i}"
            cadence = rng.choice(["weekly", "fortnightly", "monthly", None])
            persons.append(store.add_person(name, cadence=cadence, role=rng.choice(ROLES)))
        counts["people"] = len(persons)
        # a few people are met far more often than others (realistic skew)
        p_w = [1.0 / (1 + (i % 50)) ** 0.5 for i in range(len(persons))]
        unique_at = sessions // 2
        for n in range(sessions):
            clock.now = start + step * n + timedelta(minutes=rng.randint(0, 240))
            person = rng.choices(persons, weights=p_w)[0]
            first = person.name.split(" ")[0]
            gid = rng.choices(guide_ids, weights=guide_w)[0]
            plan = guides[gid]
            session = store.start_session(person.id, plan,
                                          title=f"{plan['name']} with {first}" if n % 3 else "")
            stages = [s for s in plan["stages"]]
            noted = rng.sample(stages, k=min(len(stages), rng.randint(2, 4)))
            budget = NOTE_CHARS + rng.randint(-200, 200)
            texts = []
            for k, stage in enumerate(noted):
                share = budget // len(noted)
                text = note_text(rng, first, share)
                if k == 0 and n % 100 == 0:
                    text = text[: max(0, share - 40)] + f" Mentioned a {RARE_WORD} at the zoo."
                    counts[RARE_WORD] += 1
                if k == 0 and n == unique_at:
                    text += f" Saw a {UNIQUE_WORD} over the car park."
                    counts[UNIQUE_WORD] += 1
                texts.append(text)
                clock.now += timedelta(minutes=rng.randint(2, 9))
                store.save_note(session.id, stage["key"], text,
                                private=bool(stage.get("private")))
                counts["notes"] += 1
                counts["note_chars"] += len(text)
            for _ in range(rng.choices([0, 1, 2, 3], weights=[3, 4, 2, 1])[0]):
                kind = rng.choices(["action", "decision", "agreement", "goal"],
                                   weights=[6, 2, 1, 1])[0]
                text = (f"{rng.choice(ACTIONS).capitalize()}" if kind != "goal"
                        else rng.choice(GOALS).capitalize())
                due = (clock.now + timedelta(days=rng.randint(3, 30))).date() \
                    if kind == "action" else None
                status = "done" if (n < sessions - 300 and rng.random() < 0.85) else None
                item = store.add_item(session.id, kind, text, owner=rng.choice(["me", "them"]),
                                      due=due, stage=rng.choice(noted)["key"], status=status)
                counts["items"] += 1
                if kind == "goal" and rng.random() < 0.5:  # issue 23: goals that move
                    store.check_in_goal(item.id, status=rng.choice(["on-track", "at-risk"]),
                                        progress=rng.randint(0, 100), note="checked in")
                    counts["checkins"] += 1
            if gid == "one-on-one":  # issue 23: a pulse per 1-on-1
                store.set_pulse(session.id, rng.choices([1, 2, 3, 4, 5], [1, 2, 4, 5, 3])[0],
                                rng.choice(["", "tired", "steady", "busy", "good"]))
                counts["pulses"] += 1
            elif gid in ("feedback", "praise"):  # and the feedback log
                store.fill_feedback(session.id, situation=rng.choice(ACTIONS),
                                    behaviour=rng.choice(ACTIONS), impact=rng.choice(GOALS))
                counts["feedback"] += 1
            spent = {s["key"]: float(rng.randint(60, int(s.get("minutes", 5)) * 90))
                     for s in noted}
            clock.now += timedelta(minutes=rng.randint(20, 50))
            store.save_session_state(session.id, spent=spent,
                                     visited=[s["key"] for s in stages],
                                     stage_index=len(stages) - 1)
            if n < sessions - ACTIVE_SESSIONS:
                store.end_session(session.id, ended_at=clock.now)
            else:
                counts["active"] += 1
            if rng.random() < 0.2:
                clock.now += timedelta(days=rng.randint(1, 3))
                store.add_jot(person.id, rng.choice(JOTS).format(n=first))
                counts["jots"] += 1
            counts["sessions"] += 1
            if (n + 1) % max(1, sessions // 20) == 0 or n + 1 == sessions:
                el = time.perf_counter() - t0
                progress(f"  generate: {n + 1}/{sessions} sessions  {el:.0f}s elapsed, "
                         f"~{el / (n + 1) * (sessions - n - 1):.0f}s to go")
    finally:
        store.close()
    counts["seconds"] = round(time.perf_counter() - t0, 1)
    return counts


def ensure(sessions: int = 10_000, people: int = 200, *, force: bool = False,
           progress=print) -> Path:
    """The cached vault directory for this size, generated on first use."""
    final = cache_dir(sessions, people)
    manifest = final / "manifest.json"
    if manifest.exists() and (final / "home" / "vault.db").exists() and not force:
        return final
    if final.exists():
        shutil.rmtree(final)
    OUT.mkdir(parents=True, exist_ok=True)
    scratch_root = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) \
        else str(OUT)
    scratch = Path(tempfile.mkdtemp(prefix="rapport-gen-", dir=scratch_root))
    progress(f"generate: building {key_for(sessions, people)} in {scratch} "
             f"(first time only; cached in {final})")
    try:
        counts = build(scratch, sessions, people, progress=progress)
        (scratch / "passphrase").write_text(PASSPHRASE + "\n", encoding="utf-8")
        os.chmod(scratch / "passphrase", 0o600)
        counts.update(sessions_requested=sessions, people_requested=people,
                      generator=GEN_VERSION, created=datetime.now().isoformat(timespec="seconds"),
                      vault_bytes=(scratch / "home" / "vault.db").stat().st_size,
                      passphrase=PASSPHRASE)
        (scratch / "manifest.json").write_text(json.dumps(counts, indent=1), encoding="utf-8")
        tmp_final = final.with_name(final.name + ".partial")
        if tmp_final.exists():
            shutil.rmtree(tmp_final)
        shutil.copytree(scratch, tmp_final)
        os.chmod(tmp_final / "home", 0o700)
        tmp_final.rename(final)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    progress(f"generate: done in {counts['seconds']}s, {counts['vault_bytes'] / 2**20:.0f} MiB: "
             + ", ".join(f"{k}={counts[k]}" for k in ("people", "sessions", "notes", "items",
                                                         "jots", RARE_WORD)))
    return final


def manifest(vault_dir: Path) -> dict:
    return json.loads((vault_dir / "manifest.json").read_text(encoding="utf-8"))


def scratch_copy(vault_dir: Path, into: Path) -> Path:
    """A throw-away copy of a cached vault (for benches that write); returns the new home dir."""
    home = into / "home"
    home.mkdir(parents=True, exist_ok=True)
    os.chmod(home, 0o700)
    shutil.copy2(vault_dir / "home" / "vault.db", home / "vault.db")
    return home


@click.command(help=doc_help(__doc__))
@click.option("--sessions", type=int, default=10_000, show_default=True)
@click.option("--people", type=int, default=200, show_default=True)
@click.option("--force", is_flag=True, help="rebuild even when cached")
def main(sessions: int, people: int, force: bool) -> None:
    d = ensure(sessions, people, force=force)
    print(d)
    print(json.dumps(manifest(d), indent=1))


if __name__ == "__main__":
    main()
