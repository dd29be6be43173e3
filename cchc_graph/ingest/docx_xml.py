"""docx_xml: the WordprocessingML namespace and the readers of its property values.

Shared by docx_front (the body and styles) and docx_numbering (automatic numbering): kept apart
so that neither imports the other for a namespace or the reading of a w:val.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_OFF = frozenset({"0", "false", "off", "none"})


def val(element: ET.Element | None) -> str | None:
    """The element's w:val attribute; None when the element or the attribute is absent."""
    return None if element is None else element.get(f"{W}val")


def integer(element: ET.Element | None, attribute: str = f"{W}val") -> int | None:
    """An attribute (w:val unless named) read as a whole number; None when absent or not one."""
    value = None if element is None else element.get(attribute)
    try:
        return None if value is None else int(value)
    except ValueError:
        return None


def switch(element: ET.Element | None) -> bool | None:
    """An on/off property (w:b, w:isLgl): absent None, bare or "1"/"true" True, else False."""
    if element is None:
        return None
    return (val(element) or "true").lower() not in _OFF
