"""Schemathesis hooks of tests/tests/api/contract.rs.

The one validation rule JSON Schema cannot state is documented in the schema as the extension
`x-max-pixels` of RenderParams: width * height must not exceed it. Schemathesis does not read
extensions, so this hook keeps the bodies it means as valid (positive cases) within that documented
limit by lowering `height`. Negative cases are left alone: their fault lies elsewhere.
"""

import schemathesis


def _max_pixels(case):
    schema = case.operation.schema.raw_schema
    return schema["components"]["schemas"]["RenderParams"].get("x-max-pixels")


@schemathesis.hook
def map_case(context, case):
    body = case.body
    meta = getattr(case, "meta", None)
    positive = meta is not None and meta.generation.mode.is_positive
    if not (positive and case.method.upper() == "POST" and case.path == "/api/jobs"):
        return case
    if not isinstance(body, dict):
        return case
    limit = _max_pixels(case)
    # Omitted sides take the schema's defaults; JSON Schema integers include `56550.0`.
    defaults = case.operation.schema.raw_schema["components"]["schemas"]["RenderParams"]["properties"]
    width = body.get("width", defaults["width"]["default"])
    height = body.get("height", defaults["height"]["default"])
    if limit and _whole(width) and _whole(height) and width >= 1 and height >= 1:
        if width * height > limit:
            body["height"] = max(1, limit // int(width))
    return case


def _whole(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer()
