"""Hypothesis strategies: JSON documents shaped like the builder's playbooks."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Text as a user types it: any unicode but the surrogates (not encodable) and NUL (refused).
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
    # strings YAML 1.1 would read as something else unless quoted
    st.sampled_from(["yes", "no", "on", "off", "~", "null", "1e3", "0x1F", "2026-01-01",
                     "12:30", "- a", "a: b", "#x", "*alias", "&anchor", "!tag", "'", '"', ""]),
)  # fmt: skip
json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(text, children, max_size=5)
    ),
    max_leaves=40,
)
task = st.fixed_dictionaries(
    {"name": text, "ansible.builtin.command": st.dictionaries(text, scalars, max_size=3)},
    optional={"when": text, "register": text, "loop": st.lists(scalars, max_size=4)},
)
play = st.fixed_dictionaries(
    {"name": text, "hosts": text, "tasks": st.lists(task, max_size=4)},
    optional={"become": st.booleans(), "vars": st.dictionaries(text, json_values, max_size=4)},
)
playbook_content: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.fixed_dictionaries({"plays": st.lists(play, max_size=3)}),
    st.dictionaries(text, json_values, max_size=6),
)
