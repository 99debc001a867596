"""Validates AWS API requests with botocore's own ParamValidator and the service model it ships.

Reads a JSON list of {"service", "operation", "params"} on stdin and writes a JSON list of problem lists (one
per request, in order) on stdout. botocore's validator checks required members, unknown members, types and
the model's minimums; the model's maximums, lengths and enums, which it leaves to the server, are checked
here from the same shapes.
"""
import json
import sys

import botocore.session
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters


def model_limits(value, shape, path, problems):
    """Enum, max and max-length constraints of the model, which botocore's validator does not check."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for key, member_value in value.items():
            if key in shape.members:
                model_limits(member_value, shape.members[key], f"{path}.{key}", problems)
    elif kind == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            model_limits(item, shape.member, f"{path}[{i}]", problems)
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            model_limits(item, shape.value, f"{path}.{key}", problems)
    elif kind == "string" and isinstance(value, str):
        enum = getattr(shape, "enum", None) or []
        if enum and value not in enum:
            problems.append(f"{path}: {value!r} is not one of {shape.name}'s values {enum}")
        limit = shape.metadata.get("max")
        if limit is not None and len(value) > limit:
            problems.append(f"{path}: {len(value)} characters, {shape.name} allows at most {limit}")
    elif kind in ("integer", "long") and isinstance(value, int):
        limit = shape.metadata.get("max")
        if limit is not None and value > limit:
            problems.append(f"{path}: {value} is above {shape.name}'s maximum {limit}")


def main():
    requests = json.load(sys.stdin)
    session = botocore.session.get_session()
    models = {}
    results = []
    for request in requests:
        service = request["service"]
        if service not in models:
            models[service] = session.get_service_model(service)
        model = models[service]
        input_shape = model.operation_model(request["operation"]).input_shape
        problems = []
        try:
            validate_parameters(request["params"], input_shape)
        except ParamValidationError as error:
            problems.extend(line.strip() for line in str(error).splitlines()[1:] if line.strip())
        model_limits(request["params"], input_shape, request["operation"], problems)
        results.append(problems)
    json.dump({"botocore": botocore.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
