"""``docs/doctor.md``, generated from the rule table so the page cannot drift from the code.

``python -m jitsi_secure.doctor.docs > docs/doctor.md`` writes it; a test fails when they differ.
"""

from __future__ import annotations

import sys

from jitsi_secure.doctor.rules import RULES

__all__ = ["render_page"]

_INTRO = """\
# Doctor: known breakages

<!-- Generated from jitsi_secure/doctor/rules.py by `python -m jitsi_secure.doctor.docs`; do not edit. -->

`jitsi-secure doctor` reads the deployment once, as Prosody, Jicofo and the browser read it, and
reports each known way authentication breaks: the file and line that cause it, why, the upstream
reference, and whether `--fix` repairs it.

```console
$ jitsi-secure doctor --root /
...
```

- Exit status: 0 when nothing is found at warning level or above (info findings alone exit 0), 1 when
  something is, 2 on an error (a file that does not parse, with its line and column).
- `--json` prints one object with the findings; `--sarif` prints SARIF 2.1.0 with paths relative to
  `--root`, for code-scanning tools.
- `--fix` builds one plan from the fixable findings, verifies it (the deployment is read again over
  the planned texts: the fixed findings must be gone and nothing new may appear) and writes it like
  `apply`: all or nothing, under the lock, secrets masked. `--fix --dry-run` shows the diffs and
  writes nothing; `--backup` keeps `.bak` copies. What it cannot fix it still lists.
- `--prosody-version 13` judges with Prosody 13's rules (the default: `prosodyctl about` at `/`,
  else 0.12).
- From Python: `jitsi_secure.doctor.diagnose(deployment)`, `examine(layout)` and `fixes(findings)`;
  from Ansible: the `jitsi.secure.doctor` module (see [Ansible](ansible.md)).

| id | severity | fixable |
| --- | --- | --- |
"""


def render_page() -> str:
    """The Markdown page listing every rule: its cause, its upstream reference and the fix."""
    rows = "".join(f"| [`{r.id}`](#{r.id}) | {r.severity} | {'yes' if r.fixable else 'no'} |\n" for r in RULES)
    sections = "".join(
        f"\n## {r.id}\n\n**{r.severity}**: {r.title}.\n\n{r.cause}\n\n**Fix:** {r.fix}\n\n"
        f"Upstream: {', '.join(f'<{u}>' for u in r.references)}\n"
        for r in RULES
    )
    return _INTRO + rows + sections


if __name__ == "__main__":
    sys.stdout.write(render_page())
