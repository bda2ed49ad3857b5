"""The two GeoReport v2 formats: JSON and XML, with the specification's element names.

Every answer is data built of dicts, lists and scalars; `render` writes it as JSON, or as XML under
the root and item element names the specification gives for that answer (`services/service`,
`service_requests/request`, `service_definition/attributes/attribute/values/value`,
`errors/error`, `discovery/endpoints/endpoint/formats/format`).
"""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from django.http import HttpResponse

from guanqing.core.text import strip_control

FORMATS = ("json", "xml")
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# Lists inside an item: the element name of their entries.
LIST_ITEMS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    # XML 1.0 has no place for the other control characters (an error may quote what was sent)
    return strip_control(str(value), multiline=True)


def _append(parent: ET.Element, name: str, value) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _append(element, key, inner)
    elif isinstance(value, list | tuple):
        item_name = LIST_ITEMS.get(name, "item")
        for inner in value:
            _append(element, item_name, inner)
    else:
        element.text = _text(value)


def to_xml(data, root: str, item: str | None = None) -> bytes:
    """`data` as an XML document: a list becomes `<root><item>…</item>…</root>`, a dict
    `<root><key>…</key>…</root>`."""
    element = ET.Element(root)
    if isinstance(data, list | tuple):
        for entry in data:
            _append(element, item or "item", entry)
    else:
        for key, value in data.items():
            _append(element, key, value)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def render(data, fmt: str, *, root: str, item: str | None = None, status: int = 200):
    if fmt == "xml":
        body = to_xml(data, root, item)
    else:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def errors(fmt: str, status: int, descriptions: list[str]):
    """The specification's error list: [{"code": 400, "description": "…"}] or
    <errors><error><code>400</code><description>…</description></error></errors>."""
    data = [{"code": status, "description": str(text)} for text in descriptions]
    return render(data, fmt, root="errors", item="error", status=status)
