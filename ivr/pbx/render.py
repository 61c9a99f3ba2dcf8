"""Write the Asterisk configuration from the templates in dialplan/ and config.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ivr.ari.phone_targets import BOTH_CONTEXT, CALL_VARIABLE
from ivr.config import Settings
from ivr.flows.promptbook import PromptBook
from ivr.pbx import processes, tts
from ivr.pbx.phones import browser_phones
from ivr.pbx.secrets import Secrets
from ivr.prompts.catalog import LANGUAGES, PROMPTS

DIALPLAN_DIR = Path(__file__).resolve().parents[2] / "dialplan"
SECRET_FILES = ("ari.conf", "manager.conf", "pjsip.conf")
# Behind Kamailio: the desk phone a call comes from, once Kamailio checked its password
# (kamailio/kamailio.cfg.j2 sets it, and strips it from anything else).
PHONE_HEADER = "X-Hotline-Phone"


@dataclass(frozen=True)
class Dirs:
    """Asterisk's directories as Asterisk sees them (inside its root, if any)."""

    etc: str
    lib: str
    spool: str
    run: str
    log: str
    cache: str

    @classmethod
    def under(cls, base: str) -> Dirs:
        return cls(*(f"{base}/{name}" for name in ("etc", "lib", "spool", "run", "log", "cache")))

    @classmethod
    def debian(cls) -> Dirs:
        return cls(
            "/etc/asterisk",
            "/var/lib/asterisk",
            "/var/spool/asterisk",
            "/var/run/asterisk",
            "/var/log/asterisk",
            "/var/cache/asterisk",
        )


def render_files(settings: Settings, secrets: Secrets, dirs: Dirs) -> dict[str, str]:
    """Every config file's name and text; nothing is written."""
    env = processes.templates(DIALPLAN_DIR)
    context = {
        "hotline": settings.hotline,
        "asterisk": settings.asterisk,
        "counselors": settings.counselors,
        "supervisors": settings.supervisors,
        "departments": settings.departments,
        "rehearsal": settings.rehearsal,
        "cluster": settings.cluster,
        "system_name": settings.cluster.system_name(settings.asterisk.ari_url, settings.asterisk.instance)
        if settings.cluster
        else None,
        "phone_header": PHONE_HEADER,
        "ivr": settings.ivr,
        "acd": settings.acd,
        "fallback": settings.fallback,
        "web": settings.web,
        "secrets": secrets,
        "dirs": dirs,
        "sip_host": sip_host,
        "browser_phones": browser_phones(settings),
        "both_context": BOTH_CONTEXT,
        "call_variable": CALL_VARIABLE,
    }
    files = {}
    for template in sorted(DIALPLAN_DIR.glob("*.conf.j2")):
        name = template.name.removesuffix(".j2")
        files[name] = env.get_template(template.name).render(**context)
    return files


def sip_host(uri: str) -> str:
    """The host of `sip:[user@]host[:port][;params]`."""
    rest = uri.split(":", 1)[1] if ":" in uri else uri
    rest = rest.split("@", 1)[-1]
    return rest.split(";", 1)[0].split(":", 1)[0]


def write_files(files: Mapping[str, str], etc: Path) -> None:
    """Write files into etc; those holding passwords are not world-readable."""
    etc.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = etc / name
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o640 if name in SECRET_FILES else 0o644)
        tmp.replace(path)


def write_prompts(sounds: Path, recorded: Path | None = None, root: Path | None = None) -> int:
    """Render every prompt into `sounds/<lang>/jeonju/<id>.wav`; return how many.

    A city recording at `recorded/<lang>/<id>.wav` wins over the synthetic voice.
    With `root`, `sounds` lies inside that root and its symlinks are read as
    the root sees them.
    """
    count = 0
    for prompt_id, texts in PROMPTS.items():
        for lang in LANGUAGES:
            if lang not in texts:
                continue
            lang_dir = sounds / lang
            if root is not None:
                lang_dir = _resolve_in_root(root, lang_dir)
            target = lang_dir / "jeonju" / f"{prompt_id}.wav"
            target.parent.mkdir(parents=True, exist_ok=True)
            own = recorded / lang / f"{prompt_id}.wav" if recorded else None
            source = own if own and own.is_file() else tts.render(texts[lang], lang)
            data = source.read_bytes()
            if not target.is_file() or target.read_bytes() != data:
                target.write_bytes(data)
            count += 1
    return count


def _resolve_in_root(root: Path, path: Path) -> Path:
    """Follow symlinks the way a process chrooted into `root` would.

    Debian links sounds/en to /etc/alternatives/..., an absolute target that
    points somewhere else entirely when read from the host.
    """
    for _ in range(16):
        if not path.is_symlink():
            return path
        target = Path(path.readlink())
        path = root / str(target).lstrip("/") if target.is_absolute() else path.parent / target
    raise OSError(f"too many symlinks under {path}")


def write_flow_prompts(book: PromptBook, sounds: Path, recorded: Path | None = None) -> int:
    """Render a flow's prompts (cached TTS, or the city's recording) into `sounds`."""
    count = 0
    for sound in book.sounds.values():
        if sound.file is not None:
            continue  # a file the admin installed on the PBX
        target = sounds / f"{sound.name}.wav"
        own = recorded / sound.language / f"{sound.prompt_id}.wav" if recorded else None
        if own is not None and own.is_file():
            data = own.read_bytes()
        elif target.is_file():
            continue  # the name carries the text's hash: same name, same audio
        else:
            assert sound.text is not None
            data = tts.render(sound.text, sound.language).read_bytes()
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != data:
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(target)
        count += 1
    return count
