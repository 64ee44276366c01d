"""Generate a deterministic roadmap-shaped vault of any size for benchmarks.

Shape, for `notes` = N (the same seed and N always give the same bytes):

- `Hub.md`: links to every phase; a `rollup` of the phases and a `next` list of skills.
- `Phases/P01 ….md` (N // 250 of them, at least 2): links to the phase's skills; a
  `rollup`, a `next` list and a `graph` of them.
- `Skills/P01/S00001 Docker.md` (40 % of N): `phase` and `requires` properties (0-2
  earlier skills of the phase, sometimes one of the phase before), a `progress` block,
  3-8 tasks with at least one still open, a paragraph of text.
- `Notes/…/Reference 00001.md` (the rest): prose with links to skills and tags, no tasks.

Blocks start empty, as a user would insert them; the first `vaultkit sync` (or the
watcher's start) fills them in.

Three more shapes, for the scale benchmarks: `generate_chains` writes notes whose
prerequisites form chains of a given depth, `pathological_note` gives the bytes of one note
that is hard on a Markdown parser (`PATHOLOGICAL` names them), and `write_hard_canvas`
writes a canvas of one text card of thousands of links, or of a hundred thousand cards.

    python benchmarks/_vaultgen.py /tmp/vault 1000
    python benchmarks/_vaultgen.py /tmp/vault 20000 --chain-depth 2000
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

TOPICS = (
    "Docker", "Kubernetes 基礎", "Helm", "Kafka", "Redis Cluster", "Terraform", "gRPC",
    "Prometheus", "Grafana", "MLFlow", "Kubeflow", "FastAPI", "Spring Boot", "系統設計",
    "CAP 定理", "負載均衡", "事件驅動架構", "ONNX Runtime", "GitHub Actions", "Jaeger",
)  # fmt: skip
WORDS = (
    "cluster", "deploy", "latency", "快取", "partition", "replica", "pipeline", "registry",
    "監控", "模型", "service-mesh", "throughput", "架構", "rollout", "canary", "資料", "index",
    "schema", "queue", "容器", "observability", "trace",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Layout:
    """What was generated: vault-relative paths."""

    root: Path
    hub: PurePosixPath
    phases: tuple[PurePosixPath, ...]
    skills: tuple[PurePosixPath, ...]  # the notes with tasks and a progress block
    references: tuple[PurePosixPath, ...]

    @property
    def total(self) -> int:
        return 1 + len(self.phases) + len(self.skills) + len(self.references)


def generate(root: Path, notes: int, seed: int = 0) -> Layout:
    """Write a vault of exactly `notes` notes under `root` (created, with `.obsidian/`)."""
    rng = random.Random(seed)
    phase_count = max(2, notes // 250)
    skill_count = max(phase_count, notes * 2 // 5)
    reference_count = notes - 1 - phase_count - skill_count
    if reference_count < 0:
        raise ValueError(f"need at least {1 + 2 * phase_count} notes, not {notes}")
    phases = [PurePosixPath(f"Phases/P{p + 1:02d} 階段.md") for p in range(phase_count)]
    skills = [_skill_path(i, i * phase_count // skill_count) for i in range(skill_count)]
    phase_of = [i * phase_count // skill_count for i in range(skill_count)]
    references = [
        PurePosixPath(f"Notes/{r % 20:02d}/Reference {r + 1:05d}.md")
        for r in range(reference_count)
    ]
    files: dict[PurePosixPath, str] = {PurePosixPath("Hub.md"): _hub(phases)}
    for p, phase in enumerate(phases):
        members = [s for s, owner in zip(skills, phase_of, strict=True) if owner == p]
        files[phase] = _phase(phase, members)
    for i, skill in enumerate(skills):
        files[skill] = _skill(rng, i, skill, skills, phase_of, phases)
    for r, ref in enumerate(references):
        files[ref] = _reference(rng, r, skills)
    _write(root, files)
    return Layout(root, PurePosixPath("Hub.md"), tuple(phases), tuple(skills), tuple(references))


def _skill_path(i: int, phase: int) -> PurePosixPath:
    return PurePosixPath(f"Skills/P{phase + 1:02d}/S{i + 1:05d} {TOPICS[i % len(TOPICS)]}.md")


def _link(path: PurePosixPath) -> str:
    return f"[[{path.stem}]]"


def _hub(phases: list[PurePosixPath]) -> str:
    links = "\n".join(f"- {_link(phase)}" for phase in phases)
    return (
        "---\ntags: [roadmap]\n---\n\n# 三年學習 Roadmap\n\n"
        f"## Phases\n\n{links}\n\n"
        "<!-- vaultkit:begin rollup -->\n<!-- vaultkit:end rollup -->\n\n"
        "## Next\n\n"
        '<!-- vaultkit:begin next limit=10 folder="Skills" -->\n'
        "<!-- vaultkit:end next -->\n"
    )


def _phase(phase: PurePosixPath, members: list[PurePosixPath]) -> str:
    links = "\n".join(f"- {_link(skill)}" for skill in members)
    return (
        f"---\ntags: [phase]\nstart: 2026-{1 + int(phase.stem[1:3]) % 12:02d}-01\n---\n\n"
        f"# {phase.stem}\n\n## Skills\n\n{links}\n\n"
        "<!-- vaultkit:begin rollup -->\n<!-- vaultkit:end rollup -->\n\n"
        "<!-- vaultkit:begin next limit=5 -->\n<!-- vaultkit:end next -->\n\n"
        "<!-- vaultkit:begin graph -->\n<!-- vaultkit:end graph -->\n"
    )


def _skill(
    rng: random.Random,
    i: int,
    path: PurePosixPath,
    skills: list[PurePosixPath],
    phase_of: list[int],
    phases: list[PurePosixPath],
) -> str:
    same_phase = [j for j in range(max(0, i - 30), i) if phase_of[j] == phase_of[i]]
    requires = rng.sample(same_phase, k=min(len(same_phase), rng.randint(0, 2)))
    earlier = [j for j in range(max(0, i - 200), i) if phase_of[j] == phase_of[i] - 1]
    if earlier and rng.random() < 0.1:
        requires.append(rng.choice(earlier))
    front = f'---\nphase: "{_link(phases[phase_of[i]])}"\ntags: [skill]\n'
    if requires:
        front += "requires:\n" + "".join(f'  - "{_link(skills[j])}"\n' for j in sorted(requires))
    tasks = rng.randint(3, 8)
    done = rng.randint(0, tasks - 1)  # at least one box stays open for the benchmark
    boxes = "".join(
        f"- [{'x' if t < done else ' '}] {rng.choice(WORDS)} {rng.choice(WORDS)} 練習 {t + 1}\n"
        for t in range(tasks)
    )
    return (
        f"{front}---\n\n# {path.stem}\n\n{_prose(rng, 3)}\n\n"
        "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n\n"
        f"## Checklist\n\n{boxes}"
    )


def _reference(rng: random.Random, r: int, skills: list[PurePosixPath]) -> str:
    cited = rng.sample(skills, k=min(len(skills), rng.randint(1, 3)))
    links = ", ".join(_link(skill) for skill in cited)
    return (
        f"---\ntags: [reference, {rng.choice(WORDS)}]\n---\n\n"
        f"# Reference {r + 1:05d}\n\n{_prose(rng, 4)}\n\nSee {links}.\n\n{_prose(rng, 2)}\n"
    )


def _prose(rng: random.Random, sentences: int) -> str:
    return " ".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "."
        for _ in range(sentences)
    )


def _write(root: Path, files: dict[PurePosixPath, str]) -> None:
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))


def generate_chains(root: Path, notes: int, depth: int) -> list[PurePosixPath]:
    """Write `notes` notes whose prerequisites form chains `depth` notes long.

    Note k of a chain requires note k-1 and has one open task, so every note of a chain
    unlocks all the notes after it: transitive dependents are deep, the file names short.
    """
    paths = [PurePosixPath(f"Chains/C{i // depth:05d}/N{i:05d}.md") for i in range(notes)]
    files = {}
    for i, path in enumerate(paths):
        front = f'---\nrequires: "[[N{i - 1:05d}]]"\n---\n' if i % depth else ""
        files[path] = f"{front}# Step {i}\n\n- [ ] do step {i}\n"
    _write(root, files)
    return paths


def _tasks(size: int) -> str:
    return "".join(f"- [ ] task {i:06d}\n" for i in range(size // 18))  # 18 bytes a task


def _repeated(unit: str, newline: bool = False) -> Callable[[int], str]:
    def make(size: int) -> str:
        return unit * (size // len(unit)) + ("\n" if newline else "")

    return make


# Notes that are hard on a Markdown parser, each a function of its size in bytes.
PATHOLOGICAL: dict[str, Callable[[int], str]] = {
    "tasks": _tasks,  # 200,000 tasks at 3.6 MB
    "open-links": _repeated("[["),  # every `[` may open a link whose end is far away
    "hashes": _repeated("#t "),  # a tag every three bytes
    "one-line": _repeated("word [[link]] #tag ", newline=True),  # one line, one paragraph
    "emphasis": _repeated("*_"),  # a delimiter run every byte
}


def write_hard_canvas(path: Path, cards: int, links: int) -> None:
    """Write a canvas as Obsidian writes it of `cards` text cards, each holding `links`
    wikilinks one a line: each after an escape (`\\n`) in the file, so placing a link in
    the file reads the card's text up to it. Written a card at a time: the benchmark's own
    process stays small, as the peak memory of the commands it starts includes it."""
    text = "".join(f"[[Note {n}]]\n" for n in range(links))
    with path.open("w", encoding="utf-8") as file:
        file.write('{"nodes":[')
        for n in range(cards):
            card = {"id": f"card{n}", "type": "text", "text": text, "x": 0, "y": n * 500}
            card |= {"width": 400, "height": 400}
            file.write(("," if n else "") + json.dumps(card, ensure_ascii=False))
        file.write('],"edges":[]}')


def pathological_note(kind: str, size: int) -> bytes:
    """The bytes of a note of `kind` (a key of `PATHOLOGICAL`), about `size` bytes long."""
    return PATHOLOGICAL[kind](size).encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("notes", type=int)
    parser.add_argument("--chain-depth", type=int, help="write prerequisite chains instead")
    args = parser.parse_args()
    if args.chain_depth:
        generate_chains(args.root, args.notes, args.chain_depth)
        print(f"{args.notes} notes in chains of {args.chain_depth} in {args.root}")
    else:
        layout = generate(args.root, args.notes)
        print(f"{layout.total} notes in {layout.root}")


if __name__ == "__main__":
    main()
