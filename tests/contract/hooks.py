"""Schemathesis hooks of tests/tests/api/contract.rs.

The validation rules JSON Schema cannot state are documented in the schema as extensions:
`x-max-pixels` of RenderParams (width * height must not exceed it) and `x-animation-rules` of
AnimationSpec (keyframe times from 0, strictly increasing; the frame count from the duration; a
moving centre placeable in f64). Schemathesis does not read extensions, so this hook keeps the
bodies it means as valid (positive cases) within those documented rules: it lowers `height`, and
for an animation it spaces the keyframes' times and holds the centre. It also keeps the work of a
positive animation small (few, small frames), since each frame is a job the test server renders.
Negative cases are left alone: their fault lies elsewhere.
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
    if positive and case.method.upper() == "POST" and case.path == "/api/animations":
        return _valid_animation(case)
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


def _valid_animation(case):
    body = case.body
    if not isinstance(body, dict) or not isinstance(body.get("keyframes"), list):
        return case
    body["width"] = min(_even(body.get("width", 16)), 64)
    body["height"] = min(_even(body.get("height", 16)), 64)
    body["fps"] = 2
    body["supersample"] = 1
    keyframes = [k for k in body["keyframes"] if isinstance(k, dict)][:3]
    if len(keyframes) < 2:
        return case
    first_view = keyframes[0].get("view")
    centre = first_view.get("center") if isinstance(first_view, dict) else None
    for i, key in enumerate(keyframes):
        key["t"] = 2 * i
        view = key.get("view")
        if not isinstance(view, dict):
            continue
        if centre is None:
            view.pop("center", None)
        else:
            view["center"] = centre
        if _whole(view.get("max_iter")):
            view["max_iter"] = min(int(view["max_iter"]), 200)
    body["keyframes"] = keyframes
    return case


def _even(value):
    if not _whole(value) or value < 2:
        return 16
    return int(value) // 2 * 2
