"""Where a run may write, checked before anything is read: an output never lands on an input.

`incidents extract -o X` with X one of the inputs replaced the input; `-o X --db X` turned the
database into JSONL; an output inside an input folder was read back as an input on the next
run. Paths are compared as the files they name (symlinks resolved, hard links by inode), so a
second spelling of the same file is caught too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from pipeline.errors import ConfigError

__all__ = ["check_outputs", "same_file"]


def same_file(a: Path, b: Path) -> bool:
    """Whether `a` and `b` name one file: the same real path, or the same inode (a hard link)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return a.samefile(b)
    except OSError:  # one of them does not exist (yet)
        return False


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _is_dir(path: Path) -> bool:
    """`path.is_dir()`, False where it cannot be looked at (the reader names that input)."""
    try:
        return path.is_dir()
    except OSError:
        return False


def check_outputs(
    inputs: Iterable[Path],
    outputs: Mapping[str, Path | None],
    folders: Mapping[str, Path | None] | None = None,
) -> None:
    """`ConfigError` when an output file (option name: path) is an input or lies inside an input
    folder, when one file is given for two outputs, when an output file is a folder, or when its
    folder cannot be made (a read-only filesystem): said before a long run, not after it.
    `folders` are outputs that are folders (a MISP feed, which removes its stale files): one
    that is a file, or would hold an input or another output, is refused too."""
    sources = list(inputs)
    given = [(flag, path) for flag, path in outputs.items() if path is not None]
    for n, (flag, path) in enumerate(given):
        if _is_dir(path):
            raise ConfigError(f"{path}: {flag} is a folder; give a file name")
        for other_flag, other in given[:n]:
            if same_file(path, other):
                raise ConfigError(
                    f"{path}: given as {other_flag} and as {flag}; each output needs its own file"
                )
        for source in sources:
            if same_file(path, source):
                raise ConfigError(f"{path}: {flag} is also an input; it would replace what it is read from")
            if _is_dir(source) and _inside(path, source):
                raise ConfigError(
                    f"{path}: {flag} lies inside the input folder {source}; "
                    "the next run would read it back as an input"
                )
    for flag, folder in (folders or {}).items():
        if folder is None:
            continue
        if folder.exists() and not _is_dir(folder):
            raise ConfigError(f"{folder}: {flag} is a file; give a folder")
        held = [(f"the {other_flag} file", other) for other_flag, other in given]
        for what, path in [*held, *(("an input", source) for source in sources)]:
            if _inside(path, folder):
                raise ConfigError(f"{folder}: {flag} would hold {what} {path}; give it a folder of its own")
        given.append((flag, folder))
    for flag, path in given:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot make the folder for {flag} ({exc.strerror or exc})") from exc
