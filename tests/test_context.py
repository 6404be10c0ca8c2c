"""The template contract: every name the context offers is one a built-in template uses."""

from __future__ import annotations

import re
from dataclasses import fields

from pcndocs.render.context import DocumentContext, NetworkContext
from pcndocs.resources import builtin_templates


def _template_text() -> str:
    folder = builtin_templates()
    return "\n".join(path.read_text(encoding="utf-8") for path in folder.rglob("*.md"))


def test_every_name_of_the_contract_is_used_by_a_template() -> None:
    text = _template_text()
    names = [f.name for f in fields(NetworkContext)] + [
        f.name for f in fields(DocumentContext) if f.name != "shared"
    ]
    unused = [name for name in names if not re.search(rf"\b{name}\b", text)]
    assert unused == []
