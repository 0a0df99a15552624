"""The subject and body templates (Jinja2): the built-in ones, a bureau's own, and what every template sees."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from ..config import Config
from .errors import MailError
from .mime import KINDS, PREPARED_KINDS

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
BUILTIN_TEMPLATES = {"subject": "mail_subject.j2", "body": "mail_body.j2"}
PREPARED_TEMPLATES = {"subject": "prepared_subject.j2", "body": "prepared_body.j2"}  # [mail] prepared_*_template


class Templates:
    """The subject and body templates: for each part a file with one ``{% block <kind> %}`` per kind.

    A bureau's file (config ``subject_template`` / ``body_template``) replaces the blocks it defines; a block it
    leaves out falls back to the built-in one. A block name that is not a kind is an error (a typo would
    otherwise be ignored silently). With ``prepared``, the templates of the mail that sends out prepared workbooks
    (config ``prepared_subject_template`` / ``prepared_body_template``, block ``prepared``).
    """

    def __init__(self, config: Config, prepared: bool = False):
        self.kinds = PREPARED_KINDS if prepared else KINDS
        builtins, prefix = (PREPARED_TEMPLATES, "prepared_") if prepared else (BUILTIN_TEMPLATES, "")
        self.env = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                      lstrip_blocks=True, loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)))
        self.blocks: dict[tuple[str, str], tuple[jinja2.Template, str]] = {}
        base = Path(config.source).parent if config.source else Path.cwd()
        for part, builtin in builtins.items():
            self._add(part, self.env.get_template(builtin), builtin)
            own = config.mail[f"{prefix}{part}_template"]
            if own:
                path = Path(own) if Path(own).is_absolute() else base / own
                self._add(part, self._load(path), str(path))

    def _load(self, path: Path) -> jinja2.Template:
        try:
            return self.env.from_string(path.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise MailError(f"无法读取邮件模板 {path}：{exc}") from None
        except jinja2.TemplateSyntaxError as exc:
            raise MailError(f"邮件模板 {path} 第{exc.lineno}行有语法错误：{exc.message}") from None

    def _add(self, part: str, template: jinja2.Template, name: str) -> None:
        unknown = sorted(set(template.blocks) - set(self.kinds))
        if unknown:
            raise MailError(f"邮件模板 {name} 中有未知的块 {', '.join(unknown)}（可用：{', '.join(self.kinds)}）")
        if not template.blocks:
            raise MailError(f"邮件模板 {name} 没有定义任何块（{{% block {self.kinds[0]} %}} 等，见 docs/email.md）")
        for kind in template.blocks:
            self.blocks[(part, kind)] = (template, name)

    def render(self, part: str, kind: str, context: dict) -> str:
        template, name = self.blocks[(part, kind)]
        try:
            return "".join(template.blocks[kind](template.new_context(context)))
        except jinja2.TemplateError as exc:
            raise MailError(f"邮件模板 {name} 的 {kind} 块无法生成：{exc}") from None

    def subject(self, kind: str, context: dict) -> str:
        text = " ".join(self.render("subject", kind, context).split())
        if not text:
            raise MailError(f"邮件模板的 {kind} 块生成的主题为空")
        return text

    def body(self, kind: str, context: dict) -> str:
        text = self.render("body", kind, context).replace("\r\n", "\n")
        text = re.sub(r"[ \t]+\n", "\n", text)
        return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"



TEMPLATE_SETTINGS = ("sender", "bureau", "reply_to", "deadline")  # the [mail] keys every template sees


def template_settings(config: Config) -> dict[str, str]:
    """Who sends, who asks, where to reply and by when: ``[mail]`` keys, "" when not set."""
    return {key: config.mail[key].strip() for key in TEMPLATE_SETTINGS}

