"""What an import did: created / updated / unchanged / rejected rows per group, with reasons."""

from collections import Counter
from dataclasses import dataclass, field

OUTCOMES = ("created", "updated", "unchanged", "rejected")


@dataclass
class Rejection:
    group: str
    key: str
    reason: str

    def as_dict(self) -> dict:
        return {"group": self.group, "key": self.key, "reason": self.reason}


@dataclass
class ImportReport:
    """Counts per group (e.g. "2024 district"), rejected rows, the reason the whole import was
    aborted (a rejected file, a missing prerequisite), plain notes and figures (e.g. the
    geocoding rate)."""

    name: str
    committed: bool = False
    counts: dict[str, Counter] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    aborted_reason: str = ""
    notes: list[str] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)
    duration_s: float = 0.0

    def count(self, group: str, outcome: str, n: int = 1) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        self.counts.setdefault(group, Counter())[outcome] += n

    def reject(self, group: str, key: str, reason: str) -> None:
        self.count(group, "rejected")
        self.rejections.append(Rejection(group, key, reason))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def total(self, outcome: str) -> int:
        return sum(counter[outcome] for counter in self.counts.values())

    @property
    def aborted(self) -> bool:
        return bool(self.aborted_reason)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "committed": self.committed,
            "counts": {group: {o: counter[o] for o in OUTCOMES}
                       for group, counter in self.counts.items()},
            "rejections": [r.as_dict() for r in self.rejections],
            "aborted_reason": self.aborted_reason,
            "notes": self.notes,
            "figures": self.figures,
            "duration_s": round(self.duration_s, 2),
        }

    def as_text(self) -> str:
        mode = "committed" if self.committed else "dry run, nothing written"
        lines = [f"== {self.name} ({mode}, {self.duration_s:.1f} s)"]
        if self.aborted_reason:
            lines.append(f"   ABORTED, nothing written: {self.aborted_reason}")
        for group, counter in self.counts.items():
            numbers = "  ".join(f"{o} {counter[o]}" for o in OUTCOMES)
            lines.append(f"   {group:<28} {numbers}")
        for name, value in self.figures.items():
            lines.append(f"   {name}: {value}")
        for rejection in self.rejections:
            lines.append(f"   rejected {rejection.group} {rejection.key}: {rejection.reason}")
        lines.extend(f"   note: {note}" for note in self.notes)
        return "\n".join(lines)


@dataclass
class PipelineReport:
    manifest_sha256: str
    committed: bool = False
    skipped: bool = False
    steps: list[ImportReport] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def aborted(self) -> bool:
        return any(step.aborted for step in self.steps)

    def total(self, outcome: str) -> int:
        return sum(step.total(outcome) for step in self.steps)

    def step(self, name: str) -> ImportReport:
        return next(step for step in self.steps if step.name == name)

    def as_dict(self) -> dict:
        return {
            "manifest_sha256": self.manifest_sha256,
            "committed": self.committed,
            "skipped": self.skipped,
            "duration_s": round(self.duration_s, 2),
            "steps": [step.as_dict() for step in self.steps],
        }

    def as_text(self) -> str:
        if self.skipped:
            return (f"reference data already loaded from manifest {self.manifest_sha256[:12]}; "
                    "nothing to do (use --force to reload)")
        lines = [step.as_text() for step in self.steps]
        if self.aborted:
            outcome = "ABORTED, nothing written"
        elif self.committed:
            outcome = "committed"
        else:
            outcome = "dry run, rolled back (use --commit to write)"
        lines.append(
            f"== total: created {self.total('created')}, updated {self.total('updated')}, "
            f"unchanged {self.total('unchanged')}, rejected {self.total('rejected')}; "
            f"{outcome}; {self.duration_s:.1f} s"
        )
        return "\n".join(lines)
