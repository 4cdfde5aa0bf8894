"""What an import read, wrote and skipped (with the reason), table by table, and what it normalised."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class TableCounts:
    read: int = 0
    written: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def add(self, other: TableCounts) -> None:
        self.read += other.read
        self.written += other.written
        self.skipped.update(other.skipped)


@dataclass
class CaseDuplicate:
    """Original accounts whose emails differ only in case: one is imported, the others are listed."""

    email: str
    kept: str
    dropped: str
    dropped_owned: dict[str, int]


@dataclass
class Report:
    dry_run: bool = False
    users_total: int = 0
    users_done: int = 0
    tables: dict[str, TableCounts] = field(default_factory=dict)
    notes: Counter[tuple[str, str]] = field(default_factory=Counter)
    case_duplicates: list[CaseDuplicate] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # user id, why its transaction failed

    def table(self, name: str) -> TableCounts:
        return self.tables.setdefault(name, TableCounts())

    def merge(self, part: Report) -> None:
        """A user's counts, added once their transaction committed."""
        for name, counts in part.tables.items():
            self.table(name).add(counts)
        self.notes.update(part.notes)
        self.users_done += part.users_done

    @property
    def ok(self) -> bool:
        return not self.failures

    def render(self) -> str:
        verb = "would write" if self.dry_run else "written"
        title = "jarlpm import (dry run: nothing was written)" if self.dry_run else "jarlpm import"
        lines = [f"{title}: {self.users_done} of {self.users_total} users imported", ""]
        width = max([len(name) for name in self.tables] + [5])
        lines.append(f"{'table'.ljust(width)}  {'read':>6}  {verb:>11}  {'skipped':>7}  reasons")
        for name, counts in self.tables.items():
            skipped = sum(counts.skipped.values())
            reasons = "; ".join(f"{reason} ({n})" for reason, n in counts.skipped.most_common())
            lines.append(
                f"{name.ljust(width)}  {counts.read:>6}  {counts.written:>11}  {skipped:>7}  {reasons}".rstrip()
            )
        if self.notes:
            lines += ["", "normalised (ours is stricter than the original):"]
            lines += [f"  {table}: {what} ({n})" for (table, what), n in sorted(self.notes.items())]
        if self.case_duplicates:
            lines += ["", "emails that differ only in case (the most recently active account is imported):"]
            for dup in self.case_duplicates:
                owned = ", ".join(f"{n} {kind}" for kind, n in dup.dropped_owned.items()) or "nothing counted"
                lines.append(f"  {dup.email}: kept {dup.kept}; not imported {dup.dropped} (owned {owned})")
        if self.failures:
            lines += ["", "users not imported (their transaction was rolled back; run the import again):"]
            lines += [f"  {user_id}: {reason}" for user_id, reason in self.failures]
        return "\n".join(lines)
