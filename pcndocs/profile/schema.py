"""The JSON Schema of a profile, for editors: the model's, with the ids the data files define."""

from __future__ import annotations

from typing import Any

from pcndocs.profile.load import KnownIds
from pcndocs.profile.model import Profile


def profile_schema(known: KnownIds) -> dict[str, Any]:
    """Return the JSON Schema of a profile, listing the funding streams and workstreams allowed.

    The model holds those ids as text, checked when a profile is loaded, so that the data
    files alone define them; here they become the schema's enums, for autocompletion.
    """
    document = Profile.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "pcndocs network profile"
    lead = document["$defs"]["Lead"]["properties"]
    lead["funding_stream"]["enum"] = list(known.funding_streams)
    for shape in lead["workstream"]["oneOf"]:
        if shape.get("type") == "string":  # a built-in id; a local workstream is keys
            shape["enum"] = list(known.workstreams)
    return document
