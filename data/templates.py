"""The steward's email templates: `<data_dir>/templates/<name>.txt` overriding the defaults."""

from __future__ import annotations

from pathlib import Path

from circle.compose.templates import DEFAULTS, check_template
from data.jsonfile import atomic_write_bytes

TEMPLATES_DIR = "templates"


def templates_dir(data_dir: Path) -> Path:
    """Where the steward's template files live."""
    return Path(data_dir) / TEMPLATES_DIR


def read_templates(data_dir: Path) -> tuple[dict[str, str], list[str]]:
    """The steward's valid templates by name, and a problem line for each file that is not.

    A template with problems (unknown name or placeholder, no subject line, not UTF-8) is left
    out, so the default text is used for it; the problems name the file and what to fix.
    """
    folder = templates_dir(data_dir)
    found: dict[str, str] = {}
    problems: list[str] = []
    if not folder.is_dir():
        return found, problems
    for path in sorted(folder.glob("*.txt")):
        name = path.stem
        try:
            text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot read it as UTF-8 text ({exc}); the default is used")
            continue
        bad = check_template(name, text)
        if bad:
            problems += [f"{path}: {line}; the default is used" for line in bad]
            continue
        found[name] = text
    return found, problems


def load_templates(data_dir: Path) -> dict[str, str]:
    """The steward's valid templates (invalid files are ignored; see `read_templates`)."""
    return read_templates(data_dir)[0]


def export_defaults(data_dir: Path, *, overwrite: bool = False) -> list[Path]:
    """Write every default template into the templates folder for the steward to edit."""
    folder = templates_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in DEFAULTS.items():
        path = folder / f"{name}.txt"
        if path.exists() and not overwrite:
            continue
        atomic_write_bytes(path, text.encode("utf-8"))
        written.append(path)
    return written
