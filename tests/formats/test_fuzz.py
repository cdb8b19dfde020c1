"""Mutation fuzzing of every format's parser: only ``ParseError`` (or a document) ever comes out.

For each of the five formats a hypothesis-driven fuzzer starts from seed texts (small built-in ones,
plus the corpus files when ``../shared/corpus`` is there) and applies a few mutations: bit flips,
truncation, splices of other seeds, deep nesting, huge tokens, invalid UTF-8 (decoded with
``surrogateescape``, as :func:`~jitsi_secure._core.write.read_text` does) and NUL bytes. Properties:

* ``parse`` returns a document or raises :class:`~jitsi_secure.errors.ParseError`, nothing else
  (no ``RecursionError``, ``IndexError``, ``UnicodeError``, ...), and the error renders as text;
* on success ``render()`` gives back the input exactly.

Budgets: ``FUZZ_EXAMPLES`` (``make fuzz`` sets it high) overrides the small per-format CI budget. The
number of examples each run tried is printed (``-s``), recorded as ``fuzz_examples_<format>``
properties of the JUnit report's test suite (``--junitxml``), and the outcomes are hypothesis events
(``--hypothesis-show-statistics``).
"""

from __future__ import annotations

import functools
import os
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from jitsi_secure.demo import EXAMPLE_DOMAIN, build_example_tree
from jitsi_secure.errors import JitsiSecureError, ParseError
from jitsi_secure.formats import dotenv, hocon, js, lua, properties
from jitsi_secure.secure_domain.layout import Layout
from jitsi_secure.secure_domain.plan import build_plan
from jitsi_secure.secure_domain.spec import SecureDomain
from tests.oracles import SHARED, corpus_files, missing

#: ``make fuzz`` raises this; in CI each format gets its own small budget (the whole file < ~60 s).
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))


@dataclass(frozen=True)
class Format:
    name: str
    parse: Callable[..., Any]
    corpus: tuple[str, ...]  # folder under corpus/ and glob patterns
    budget: int  # examples in CI
    seeds: tuple[str, ...]
    # (opening, closing) pairs whose repetition nests; the text around them makes a plausible file.
    nesting: tuple[tuple[str, str, str, str], ...]  # (prefix, open, close, suffix)


FORMATS = [
    Format(
        "properties",
        properties.parse,
        ("properties", "*.properties"),
        150,
        (
            "# c\na=b\n",
            "org.jitsi.jigasi.xmpp.acc.PASS=p\\u00e9\\\n  continued\r\n! bang\nkey\\ with\\:=v\\\\\n",
            "\\u12",
        ),
        (("a=", "\\\n", "", "b\n"), ("", "\\u", "", "\n")),
    ),
    Format(
        "hocon",
        hocon.parse,
        ("hocon", "*.conf"),
        100,
        (
            'jicofo {\n  authentication { enabled = true, type = XMPP }\n  a.b.c = "x"\n}\n',
            'a = [1, 2, {b: ${?X}}]\n# c\n// d\nc = """tri"""\ninclude "x.conf"\nd += 3\n',
            "a : 1h\nb = ${a} suffix\n",
        ),
        (("a = ", "[", "]", "\n"), ("", "a {", "}", "\n"), ("a = ", "{b:", "}", "\n"), ("a = ${", "a.", "", "}\n")),
    ),
    Format(
        "lua",
        lua.parse,
        ("lua", "*.lua"),
        100,
        (
            'VirtualHost "meet.example.com"\n    authentication = "jitsi-anonymous" -- do not delete me\n'
            '    modules_enabled = { "bosh"; "ping", }\nComponent "conference.x" "muc"\n',
            'plugin_paths = { "/usr/share/jitsi-meet/prosody-plugins/" }\nx = [[long\n]] .. [==[s]==]\n'
            "--[[ block\n]] y = -0x1F + 2^3 % 4 // 1\nz = not nil and (1 or 2)\n",
            'Include "conf.d/*.cfg.lua"\nt = { a = { b = { [1] = "\\u{48}\\z\n   x" } } }\n',
        ),
        (
            ("x = ", "{", "}", "\n"),
            ("x = ", "(", ")", "1\n"),
            ("x = ", "-", "", "1\n"),
            ("x = ", "not ", "", "nil\n"),
            ("x = ", '"a" .. ', "", '"b"\n'),
            ("x = ", "{ a = ", " }", "1\n"),
        ),
    ),
    Format(
        "js",
        js.parse,
        ("js", "*.js"),
        60,
        (
            "var config = {\n    hosts: {\n        domain: 'meet.example.com',\n"
            "        // anonymousdomain: 'guest.example.com',\n    },\n    p2p: { enabled: true },\n};\n",
            "config.hosts = { domain: `x${1}` };\n/* c */ var interfaceConfig = { A: [1, 2,] };\n",
            "var config = { a: function () { return /re/g; }, b: -1e3, 'c': \"\\u0041\" };\n",
            # ES2018-ES2025 and nginx SSI, which the reader takes since issue 16.
            'var s = "<!--# echo var="subdomain" default="" -->";\nvar config = { ...d, a: x?.y ?? 1_000n,'
            " b: { f() {}, #c: 0 }, 'k': `t` };\nconfig.p ||= {}; class C { #p = 1; static { } }\n",
            "config.x = { ...config.x, y: config.x?.y?.[0] ?? 0x1_F, z: async () => { try {} catch {} } };\n",
        ),
        (
            ("var config = ", "{...", "}", "a};\n"),
            ("var config = ", "a?.", "", "b;\n"),
            ("var config = ", "[", "]", ";\n"),
            ("var config = ", "(", ")", "1;\n"),
            ("var config = ", "{a:", "}", "1;\n"),
            ("var config = ", "!", "", "1;\n"),
            ("var config = ", "1 + ", "", "1;\n"),
        ),
    ),
    Format(
        "dotenv",
        dotenv.parse,
        ("dotenv", "*.env"),
        150,
        (
            "# comment\nXMPP_DOMAIN=meet.jitsi\nENABLE_AUTH=1\nJWT_APP_SECRET='s3cr\"et'\n",
            'export A="x${B:-y}\\n"\nC=${D:?err} # tail\n#E=1\r\nF=\n',
            "A=${B:-${C}}\n",
        ),
        (("A=", "${B:-", "}", "\n"), ("A=", '"', "", "\n"), ("A=", "$", "", "x\n")),
    ),
]
IDS = [f.name for f in FORMATS]


@functools.cache
def _seeds(fmt: Format) -> tuple[str, ...]:
    """The built-in seeds and, when ``shared/`` is checked out, every corpus file of the format."""
    seeds = list(fmt.seeds)
    if (SHARED / "corpus" / fmt.corpus[0]).is_dir():
        files = corpus_files(fmt.corpus[0], *fmt.corpus[1:]) + corpus_files(fmt.corpus[0], *fmt.corpus[1:], valid=False)
        # Small files first: in CI the budget is spent on many quick examples, not on a few big ones.
        for path in sorted(files, key=lambda p: p.stat().st_size)[:40]:
            seeds.append(path.read_bytes().decode("utf-8", "surrogateescape"))
    return tuple(seeds)


def _budget(fmt: Format) -> int:
    return FUZZ_EXAMPLES or fmt.budget


# -- mutations -------------------------------------------------------------------------------------


@st.composite
def _mutated(draw: st.DrawFn, fmt: Format) -> str:
    seeds = _seeds(fmt)
    data = bytearray(draw(st.sampled_from(seeds)).encode("utf-8", "surrogateescape"))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "splice", "nest", "huge", "bytes", "nul", "delete"]))
        event(f"mutation: {kind}")
        at = draw(st.integers(0, len(data)))
        if kind == "flip" and data:
            i = min(at, len(data) - 1)
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            data = data[:at]
        elif kind == "delete":
            data[at : at + draw(st.integers(1, 16))] = b""
        elif kind == "splice":
            other = draw(st.sampled_from(seeds)).encode("utf-8", "surrogateescape")
            start = draw(st.integers(0, len(other)))
            data[at:at] = other[start : start + draw(st.integers(1, 400))]
        elif kind == "nest":
            prefix, opening, closing, suffix = draw(st.sampled_from(fmt.nesting))
            depth = draw(st.sampled_from([3, 50, 300, 2_000]))
            closed = draw(st.booleans())
            piece = prefix + opening * depth + suffix.rstrip("\n") + (closing * depth if closed else "") + "\n"
            data[at:at] = piece.encode()
        elif kind == "huge":
            token = draw(st.sampled_from(["a", "9", '"', "'", "\\", "-", " ", "\n", "é", "{", "$"]))
            data[at:at] = (token * draw(st.sampled_from([1_000, 100_000]))).encode()
        elif kind == "bytes":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))  # often not UTF-8
        elif kind == "nul":
            data[at:at] = b"\x00"
    return bytes(data).decode("utf-8", "surrogateescape")


def _event(name: str) -> None:
    if currently_in_test_context():
        event(name)


def _check(fmt: Format, text: str, outcomes: Counter[str]) -> None:
    try:
        document = fmt.parse(text, source="fuzz.input")
    except ParseError as error:
        outcomes["ParseError"] += 1
        _event("ParseError")
        rendered = str(error)  # the message itself must not fail
        assert rendered.startswith("fuzz.input:"), rendered
        assert error.line >= 1 and error.column >= 1
        return
    outcomes["parsed"] += 1
    _event("parsed")
    assert document.render() == text


@pytest.mark.parametrize("fmt", FORMATS, ids=IDS)
def test_mutated_files_parse_or_raise_parse_error(
    fmt: Format, record_testsuite_property: Callable[[str, object], None]
) -> None:
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=_budget(fmt),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
        deadline=None,
    )
    @given(_mutated(fmt))
    def fuzz(text: str) -> None:
        _check(fmt, text, outcomes)

    fuzz()
    tried = sum(outcomes.values())
    record_testsuite_property(f"fuzz_examples_{fmt.name}", tried)
    print(f"\nfuzz {fmt.name}: {tried} examples ({outcomes['parsed']} parsed, {outcomes['ParseError']} ParseError)")
    assert tried > 0


@pytest.mark.parametrize("fmt", FORMATS, ids=IDS)
def test_random_text_parses_or_raises_parse_error(fmt: Format) -> None:
    # Not mutations: short texts over the format's own punctuation, where the odd corners live.
    punctuation = list("{}[]()=:;,.\"'`\\$#!-/*+ \t\r\nabcxyzAB019_\x00é")
    alphabet = st.sampled_from([*punctuation, "\udcff", "]]", "--[[", "${"])

    @settings(max_examples=FUZZ_EXAMPLES or 80, deadline=None)
    @given(st.lists(alphabet, max_size=40).map("".join))
    def fuzz(text: str) -> None:
        _check(fmt, text, Counter())

    fuzz()


# -- nesting at any depth: a clean error or a document, never RecursionError ----------------------

#: 100,000 levels take seconds per format: only in the long run (``make fuzz``).
DEPTHS = [100, 1_000, 10_000, *([100_000] if FUZZ_EXAMPLES else [])]


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("fmt", FORMATS, ids=IDS)
def test_deep_nesting_never_overflows_the_stack(fmt: Format, depth: int) -> None:
    limit = sys.getrecursionlimit()
    for prefix, opening, closing, suffix in fmt.nesting:
        for closed in (True, False):
            text = prefix + opening * depth + suffix.rstrip("\n") + (closing * depth if closed else "") + "\n"
            _check(fmt, text, Counter())
    assert sys.getrecursionlimit() == limit  # nobody raised it behind our back


def test_corpus_is_optional() -> None:
    # Without ../shared the fuzzer still runs on its built-in seeds (`_seeds` never calls `missing`); the
    # corpus files come after them. Only this test wants the corpus, and fails without it in CI.
    for fmt in FORMATS:
        assert _seeds(fmt)[: len(fmt.seeds)] == tuple(fmt.seeds)
    if not (SHARED / "corpus").is_dir():
        missing("no ../shared/corpus: the fuzzer ran on its built-in seeds only")
    assert all(len(_seeds(fmt)) > len(fmt.seeds) for fmt in FORMATS)


# -- huge tokens, deterministically: every format, every kind of token ----------------------------------

#: Long enough that a quadratic scan shows (it took the properties parser minutes at 100,000).
HUGE = 100_000 if FUZZ_EXAMPLES else 20_000

TOKENS = ["a", "9", '"', "'", "\\", "-", " ", "\n", "é", "{", "[", "(", "$", "${", "\\\n", "--[[", "]]", "`", "/*"]


@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize("fmt", FORMATS, ids=IDS)
def test_huge_tokens_parse_or_raise_parse_error(fmt: Format, token: str) -> None:
    for prefix, suffix in (("", "\n"), ("x = ", "\n"), ("a=", "\n"), ("x = ", "z\n")):
        # "z" after the run: a malformed numeral once made the Lua lexer's regex backtrack for minutes.
        _check(fmt, prefix + token * HUGE + suffix, Counter())


# -- end to end: the library's own readers (esprima, pyhocon, Lua) on deep nesting ---------------------

_DEEP_FILES = {
    "lua": (f"etc/prosody/conf.avail/{EXAMPLE_DOMAIN}.cfg.lua", lambda n: "deep = " + "{" * n + "}" * n),
    "js": (f"etc/jitsi/meet/{EXAMPLE_DOMAIN}-config.js", lambda n: "config.deep = " + "[" * n + "]" * n + ";"),
    "hocon-object": ("etc/jitsi/jicofo/jicofo.conf", lambda n: "deep " + "{ a " * n + "}" * n),
    "hocon-array": ("etc/jitsi/jicofo/jicofo.conf", lambda n: "deep = " + "[" * n + "]" * n),
}


@pytest.mark.parametrize("depth", [150, 3_000])
@pytest.mark.parametrize("kind", list(_DEEP_FILES))
def test_deep_nesting_in_a_deployment_is_a_clean_error(tmp_path: Path, kind: str, depth: int) -> None:
    # esprima and pyhocon recurse, with limits libraries-probe.md measured: their RecursionError
    # must come out as our ParseError/VerificationError, never as a crash of `jitsi-secure check`.
    root = build_example_tree(tmp_path / "root")
    relative, make = _DEEP_FILES[kind]
    path = root / relative
    path.write_text(path.read_text() + "\n" + make(depth) + "\n")
    try:
        build_plan(Layout.debian(root=root), SecureDomain(EXAMPLE_DOMAIN))
    except JitsiSecureError as error:
        assert "deep" in str(error) or "recursion" in str(error) or "nest" in str(error), str(error)
