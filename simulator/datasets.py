"""Tables that drive behaviour, read from ``datasets/`` and checked loudly at start-up.

YAML is read strictly: a duplicate key anywhere is an error (PyYAML would silently keep the last).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["DATASETS", "DatasetError", "load_yaml"]

#: The ``datasets/`` folder of the source tree.
DATASETS = Path(__file__).resolve().parent.parent / "datasets"


class DatasetError(Exception):
    """A dataset file is missing, unreadable or inconsistent; the message names file and key."""


class StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses a repeated key (DatasetError naming the line)."""


def _mapping_without_duplicates(loader: StrictLoader, node: yaml.MappingNode) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            line = key_node.start_mark.line + 1
            raise DatasetError(f"{node.start_mark.name}, line {line}: duplicate key {key!r}")
        seen.add(key)
    return loader.construct_mapping(node)


StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def load_yaml(path: Path) -> Any:
    """Read one YAML file strictly.

    :raises DatasetError: when it is missing, not YAML, or repeats a key.
    """
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=StrictLoader)
    except FileNotFoundError as error:
        raise DatasetError(f"{path}: dataset file not found") from error
    except yaml.YAMLError as error:
        raise DatasetError(f"{path}: not valid YAML: {error}") from error
