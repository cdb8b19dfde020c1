"""One ``edit`` batch of a key=value document (``.properties``, ``.env``) places new lines as its
changes made one after the other, in order, would: the recipes declare a file's settings and the
engine makes them one batch, so placement must not depend on how the changes were grouped.

Deletions are the one difference, by design: the comment rule judges a comment block on the original
text, so a batch that deletes two keys of one paragraph keeps the comment that heads them, where
deleting them one by one would take it with the second. The meaning is the same either way.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jitsi_secure.formats import COMMENT_OUT, REMOVE, CommentOut, dotenv, properties

FORMATS = {"properties": (properties, "."), "dotenv": (dotenv, "_")}

_SEGMENTS = st.lists(st.sampled_from(["A", "B"]), min_size=1, max_size=3)


@st.composite
def texts_and_changes(draw: st.DrawFn, separator: str, *, deletions: bool = True) -> tuple[str, dict[str, Any]]:
    """A file of entries, commented-out examples, comments and blank lines over a few related keys,
    and a batch of changes to those keys (values, removals, comment-outs)."""
    keys = draw(st.lists(_SEGMENTS.map(separator.join), min_size=2, max_size=5, unique=True))
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["entry", "example", "example", "comment", "blank"]))
        key = draw(st.sampled_from(keys))
        lines.append({"entry": f"{key}=v", "example": f"#{key}=old", "comment": "# note", "blank": ""}[kind] + "\n")
    text = "".join(lines)
    if text and draw(st.booleans()):
        text = text.rstrip("\n")  # a last line without a line break
    changes: dict[str, Any] = {}
    for key in draw(st.permutations(keys)):
        if draw(st.booleans()):
            kinds: list[Any] = ["new", "new", "v", COMMENT_OUT, CommentOut("placeholder")]
            changes[key] = draw(st.sampled_from([*kinds, REMOVE] if deletions else kinds))
    return text, changes


def _stepwise(doc: Any, changes: dict[str, Any]) -> Any:
    for key, value in changes.items():
        doc = doc.edit({key: value})
    return doc


@pytest.mark.parametrize("name", list(FORMATS))
def test_a_batch_writes_what_its_changes_write_one_by_one(name: str) -> None:
    module, separator = FORMATS[name]

    @given(texts_and_changes(separator, deletions=False))
    def check(example: tuple[str, dict[str, Any]]) -> None:
        text, changes = example
        doc = module.parse(text)
        assert doc.edit(changes).render() == _stepwise(doc, changes).render()

    check()


@pytest.mark.parametrize("name", list(FORMATS))
def test_a_batch_with_deletions_means_what_its_changes_mean_one_by_one(name: str) -> None:
    module, separator = FORMATS[name]

    @given(texts_and_changes(separator))
    def check(example: tuple[str, dict[str, Any]]) -> None:
        text, changes = example
        doc = module.parse(text)
        assert doc.edit(changes).to_dict() == _stepwise(doc, changes).to_dict()

    check()


def _jigasi(module: ModuleType) -> Any:
    return module.parse(
        "# Authenticated login\n"
        "org.jitsi.jigasi.xmpp.acc.SERVER_ADDRESS=127.0.0.1\n"
        "\n"
        "# org.jitsi.jigasi.xmpp.acc.USER_ID=SOME_USER@SOME_DOMAIN\n"
        "# org.jitsi.jigasi.xmpp.acc.ANONYMOUS_AUTH=false\n"
    )


def test_a_key_uncommented_earlier_in_the_batch_anchors_a_new_one() -> None:
    # Jigasi after a revert: the password line is gone, the account lines are commented out. The
    # password goes after the user id the same batch uncomments, not after SERVER_ADDRESS.
    doc = _jigasi(properties)
    prefix = "org.jitsi.jigasi.xmpp.acc."
    new = doc.edit(
        {prefix + "USER_ID": "jigasi@example.com", prefix + "PASS": "pw", prefix + "ANONYMOUS_AUTH": "false"}
    )
    lines = new.render().splitlines()
    assert lines[lines.index(prefix + "USER_ID=jigasi@example.com") + 1] == prefix + "PASS=pw"


def test_a_key_the_batch_removes_anchors_nothing() -> None:
    doc = properties.parse("a.x=1\n\n# other\nb=2\n")
    new = doc.edit({"a.x": REMOVE, "a.y": "3"})
    assert new.render() == doc.remove("a.x").set("a.y", "3").render()
    assert new.render() == "\n# other\nb=2\na.y=3\n"
