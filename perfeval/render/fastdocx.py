"""The prepared Word template: the fast path of the report, which drives docxtpl's (and python-docx's) internals,
kept behind a seam.

A Word template is prepared once per process and file version (:class:`PreparedDocx`): docxtpl cleans its main
document's XML into Jinja code, which is compiled once; the other parts (styles, numbering, footers …) do not
depend on the report, so their compressed bytes are kept. A report then costs one Jinja render of the document XML,
docxtpl's own post-processing of it, and a zip written from the kept bytes plus the new ``word/document.xml``: the
same content as a fresh ``DocxTemplate(...).render(...)``, several times faster.

The seam: :func:`prepare` gives None (docxtpl renders alone, through its public API) when the installed docxtpl or
python-docx is not a version this module was tested with (:data:`TESTED_VERSIONS`), or when preparing fails in a
way that is not the template's fault; :func:`render` gives None on any error, and the caller then renders with
the public API, which gives the same document (or reports the template's error). The golden files
(tests/golden/) catch an upgrade that changes the public path as well. To take a new version: install it, run
tests/test_performance_paths.py and tests/test_golden.py, then add it below.
"""

from __future__ import annotations

import functools
import io
import re
import threading
import zipfile
import zlib
from importlib import metadata

import jinja2

from .zipparts import deflate, raw_members, zip_of

# Distribution -> the major.minor versions the fast path was tested with (it equals docxtpl's render on them).
TESTED_VERSIONS = {"docxtpl": ("0.20",), "python-docx": ("1.2",)}
# Errors of preparing that are the template's fault (docxtpl alone fails on them too): the caller reports them.
TEMPLATE_ERRORS = (jinja2.TemplateError, KeyError, ValueError, zipfile.BadZipFile)


@functools.lru_cache(maxsize=1)
def untested_versions() -> dict[str, str]:
    """Distribution -> installed version, for each library the fast path relies on whose version it was not
    tested with (empty when all are tested ones)."""
    found = {}
    for name, tested in TESTED_VERSIONS.items():
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "（未安装）"
        if ".".join(version.split(".")[:2]) not in tested:
            found[name] = version
    return found


def prepare(data: bytes, env: jinja2.Environment) -> "PreparedDocx | None":
    """The prepared template of the Word file ``data``, or None when docxtpl must render it through its public API
    (an untested library version, a template the fast path does not take, an unexpected error). Raises
    :data:`TEMPLATE_ERRORS` for a template docxtpl cannot render either."""
    if untested_versions():
        return None
    try:
        return PreparedDocx.prepare(data, env)
    except TEMPLATE_ERRORS:
        raise
    except Exception:  # noqa: BLE001 - docxtpl's internals changed under us: the public API renders
        return None


def render(prepared: "PreparedDocx", context: dict) -> bytes | None:
    """The .docx bytes of one report, or None on any error (the caller renders with docxtpl's public API, which
    gives the same document, or reports the template's error)."""
    try:
        return prepared.render(context)
    except Exception:  # noqa: BLE001 - whatever failed, the public API is the reference
        return None


_JINJA_MARK = re.compile(r"\{[{%#]")
_XML_TAG = re.compile(r"<[^>]*>")
_CORE_PROPERTIES = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"


def _has_placeholders(xml: str | bytes) -> bool:
    """Whether the text of an XML part holds Jinja markup (tags split across runs too: tags are removed first)."""
    if isinstance(xml, bytes):
        xml = xml.decode("utf-8", "replace")
    return bool(_JINJA_MARK.search(_XML_TAG.sub("", xml)))


class PreparedDocx:
    """A Word template prepared once for many reports: the Jinja code of its main document compiled, the bytes of
    its other parts kept. :meth:`render` gives the .docx bytes of one report, with the content docxtpl gives.

    Build with :meth:`prepare`, which returns None for a template that docxtpl must render as a whole (placeholders
    outside the main document, no core properties part).
    """

    def __init__(self, template, body, document_name: str, members: list[tuple[str, int, int, bytes]]):
        self._tpl = template  # the DocxTemplate: its document element and its post-processing methods
        self._body = body  # the compiled Jinja template of the patched document body
        self._document_name = document_name  # the zip member of the main document
        self._members = members  # every member of the template as docxtpl would save it, document.xml included
        self._lock = threading.Lock()

    @classmethod
    def prepare(cls, data: bytes, env: jinja2.Environment) -> "PreparedDocx | None":
        """Prepare the template ``data``; jinja2.TemplateError when its main document has a template error."""
        from docxtpl import DocxTemplate

        tpl = DocxTemplate(io.BytesIO(data))
        tpl.render_init()
        document = tpl.docx.part
        package = document.package
        if not any(rel.reltype == _CORE_PROPERTIES for rel in package.rels.values()):
            return None  # python-docx would add core properties stamped with the time of each save
        for part in package.iter_parts():
            if part is not document and part.content_type.endswith("xml") and _has_placeholders(part.blob):
                return None
        if _has_placeholders("".join(getattr(tpl.docx.core_properties, p) or "" for p in (
                "author", "comments", "identifier", "language", "subject", "title"))):
            return None
        # docxtpl's render, less the body: the other parts, rendered once (they hold no placeholders).
        xml = tpl.patch_xml(tpl.get_xml())
        body = env.from_string(re.sub(r"<w:p([ >])", r"\n<w:p\1", xml))
        for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
            for rel_key, rendered in list(tpl.build_headers_footers_xml({}, uri, env)):
                tpl.map_headers_footers_xml(rel_key, rendered)
        tpl.render_properties({}, env)
        tpl.render_footnotes({}, env)
        saved = io.BytesIO()
        tpl.docx.save(saved)
        members = raw_members(saved.getvalue())
        document_name = document.partname.membername
        if sum(1 for m in members if m[0] == document_name) != 1:
            return None
        return cls(tpl, body, document_name, members)

    def document_xml(self, context: dict) -> bytes:
        """``word/document.xml`` of one report: docxtpl's render of the body, step by step."""
        from docx.opc.oxml import serialize_part_xml

        tpl = self._tpl
        xml = self._body.render(context)
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        xml = tpl.resolve_listing(xml)
        tree = tpl.fix_tables(xml)
        with self._lock:
            tpl.docx_ids_index = 1000
            tpl.fix_docpr_ids(tree)
            root = tpl.docx.element
            root.replace(root.body, tree)
            return serialize_part_xml(root)

    def render(self, context: dict) -> bytes:
        """The .docx of one report (``context`` as docxtpl takes it)."""
        document = self.document_xml(context)
        raw = (self._document_name, zlib.crc32(document), len(document), deflate(document))
        return zip_of(raw if m[0] == self._document_name else m for m in self._members)
