"""Map a data path inside a YAML document (``connectors[0].fields[2].owner``) to its line number."""

from __future__ import annotations

from collections.abc import Sequence

import yaml


def line_index(text: str) -> dict[tuple, int]:
    """``{path_tuple: 1-based line}`` for every mapping value and sequence item in ``text``."""
    index: dict[tuple, int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return index

    def walk(node: yaml.Node, path: tuple) -> None:
        index[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                index[path + (key.value,)] = key.start_mark.line + 1
                walk(value, path + (key.value,))
                index[path + (key.value,)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    if root is not None:
        walk(root, ())
    return index


def format_path(path: Sequence, data: object = None) -> str:
    """Render ``('connectors', 0, 'fields', 2)`` as ``connectors[0](crm_contacts).fields[2](email)``."""
    out = ""
    node = data
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            name = node.get("name") if isinstance(node, dict) else None
            if name:
                out += f"({name})"
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "<root>"


def locate(path: Sequence, index: dict[tuple, int]) -> int | None:
    """Line of the deepest known prefix of ``path``."""
    path = tuple(path)
    while path not in index and path:
        path = path[:-1]
    return index.get(path)
