"""The question bank: your own questions, per guide and stage, shown beside the guide's."""

from __future__ import annotations

from typing import Any

from .clock import parse_stamp
from .errors import NotFound, RapportError
from .models import Question
from .rows import Rows, clean

TABLE = "questions"


def question_of(plain: dict[str, Any], secret: dict[str, Any]) -> Question:
    data = secret["data"]
    return Question(id=plain["id"], guide_id=data["guide_id"], stage=data["stage"],
                    text=data["text"], rev=plain["rev"],
                    created_at=parse_stamp(plain["created_at"]),
                    updated_at=parse_stamp(plain["updated_at"]))


def _text(text: str) -> str:
    value = " ".join(clean(text).split())
    if not value:
        raise RapportError("a question needs some text")
    return value


class Questions:
    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    def add(self, guide_id: str, stage: str, text: str) -> Question:
        if not guide_id.strip() or not stage.strip():
            raise RapportError("a question belongs to a guide and a stage")
        data = {"guide_id": guide_id.strip(), "stage": stage.strip(), "text": _text(text)}
        with self.rows.write():
            plain = self.rows.insert(TABLE, {"data": data})
        return question_of(plain, {"data": data})

    def all(self, guide_id: str | None = None, stage: str | None = None) -> list[Question]:
        """Oldest first; only those of ``guide_id`` (and ``stage``) when given."""
        found: list[Question] = self.rows.select(TABLE, order="created_at", convert=question_of)
        return [q for q in found if (guide_id is None or q.guide_id == guide_id)
                and (stage is None or q.stage == stage)]

    def get(self, question_id: str) -> Question:
        return question_of(*self.rows.get(TABLE, question_id))

    def update(self, question_id: str, text: str) -> Question:
        with self.rows.write():
            current = self.get(question_id)
            data = {"guide_id": current.guide_id, "stage": current.stage, "text": _text(text)}
            return question_of(*self.rows.update(TABLE, question_id, {"data": data}))

    def delete(self, question_id: str) -> None:
        with self.rows.write():
            if not self.rows.delete(TABLE, "id = ?", (question_id,)):
                raise NotFound(f"no question with id {question_id}")
