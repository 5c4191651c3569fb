"""A dry run's problems grouped by cause: one line for the 150 rows whose owner is the same
stranger, not 150 lines, the most frequent causes first."""

from dataclasses import dataclass

from .rules import Problem

MAX_CAUSES = 5_000  # causes kept (a file of distinct bad values has one per row)
ROWS_NAMED = 5  # rows named in a cause, the first ones


@dataclass(frozen=True, slots=True)
class Cause:
    column: str
    message: str
    blocking: bool
    count: int  # rows with it
    rows: list[int]  # the first ROWS_NAMED of them

    @property
    def rows_text(self) -> str:
        """'3' for one row; '150 rows: 3, 7, 9, 12, 20, …' for more."""
        named = ", ".join(str(row) for row in self.rows)
        if self.count == 1:
            return named
        return f"{self.count:,} rows: {named}{', …' if self.count > len(self.rows) else ''}"


def grouped(problems: list[Problem]) -> tuple[list[Cause], int]:
    """The causes (same column, message and level), most rows first then by first row, at
    most MAX_CAUSES; and how many causes there are in all."""
    found: dict[tuple[str, str, bool], list[int]] = {}
    for problem in problems:
        found.setdefault((problem.column, problem.message, problem.blocking), []).append(
            problem.row
        )
    order = sorted(found.items(), key=lambda item: (-len(item[1]), item[1][0]))
    causes = [
        Cause(column, message, blocking, len(rows), rows[:ROWS_NAMED])
        for (column, message, blocking), rows in order[:MAX_CAUSES]
    ]
    return causes, len(found)


class Tally:
    """The problems of a file checked chunk by chunk (in row order), grouped as they come:
    what `grouped` gives for all of them, without keeping them all. The first KEPT problems
    are kept as they are; causes past MAX_TALLIED distinct ones are counted, not kept."""

    KEPT = 10_000
    MAX_TALLIED = 4 * MAX_CAUSES

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.count = 0
        self._found: dict[tuple[str, str, bool], list[int]] = {}  # rows named, then the count
        self._counts: dict[tuple[str, str, bool], int] = {}
        self._untallied = 0

    def add(self, problems: list[Problem]) -> None:
        self.count += len(problems)
        self.kept.extend(problems[: max(0, self.KEPT - len(self.kept))])
        for problem in problems:
            key = (problem.column, problem.message, problem.blocking)
            rows = self._found.get(key)
            if rows is None:
                if len(self._found) >= self.MAX_TALLIED:
                    self._untallied += 1
                    continue
                rows = self._found[key] = []
                self._counts[key] = 0
            self._counts[key] += 1
            if len(rows) < ROWS_NAMED:
                rows.append(problem.row)

    def reword(self, old: str, new: str) -> None:
        """Give the problems told `old` the message `new` (a count known at the end)."""
        self.kept = [
            Problem(p.row, p.column, new, p.blocking) if p.message == old else p for p in self.kept
        ]
        for key in [key for key in self._found if key[1] == old]:
            renamed = (key[0], new, key[2])
            self._found[renamed] = self._found.pop(key)
            self._counts[renamed] = self._counts.pop(key)

    def causes(self) -> tuple[list[Cause], int]:
        """As `grouped`: the most frequent first, at most MAX_CAUSES, and how many in all."""
        counts = self._counts
        order = sorted(self._found.items(), key=lambda item: (-counts[item[0]], item[1][0]))
        causes = [
            Cause(column, message, blocking, counts[(column, message, blocking)], rows)
            for (column, message, blocking), rows in order[:MAX_CAUSES]
        ]
        return causes, len(self._found) + self._untallied
