"""Which ids a Ray batch takes: one Ray actor that every read task asks, so the live batch's admission
(skip an id already in the output, drop a second input with an id already taken) holds across the cluster."""

from __future__ import annotations


class Ledger:
    """Ids already in the output (`done`: skipped) and ids claimed in this run. A claim is keyed by the place
    that made it (the input's position in its file): a read task that Ray re-runs (a lost worker, a lost
    block) claims its own ids again, while another input with a taken id is a duplicate, not extracted."""

    def __init__(self, done: set[str]):
        self.done = done
        self.claims: dict[str, str] = {}  # id -> the place that claimed it
        self.skipped: set[str] = set()
        self.duplicates: set[str] = set()  # places whose id was taken
        self.files_read: set[str] = set()

    def admit(self, rows: list[tuple[str, str]]) -> list[bool]:
        """For each (id, place): whether that input is this run's to extract (or to record as an error)."""
        keep = []
        for article_id, place in rows:
            if article_id in self.done:
                self.skipped.add(article_id)
                keep.append(False)
            elif self.claims.setdefault(article_id, place) != place:
                self.duplicates.add(place)
                keep.append(False)
            else:
                keep.append(True)
        return keep

    def read(self, path: str) -> None:
        self.files_read.add(path)

    def unread(self, paths: list[str]) -> list[str]:
        return [path for path in paths if path not in self.files_read]

    def claimed(self) -> set[str]:
        return set(self.claims)

    def counts(self) -> dict[str, int]:
        return {"skipped": len(self.skipped), "duplicates": len(self.duplicates)}
