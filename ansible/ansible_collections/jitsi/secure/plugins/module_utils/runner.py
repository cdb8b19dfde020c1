# Copyright: jitsi-secure contributors
# Apache License 2.0 (see the jitsi-secure project)
"""What every ``jitsi.secure`` module's ``main()`` does around its work: one clear line on any failure.

A host without the ``jitsi-secure`` library gets Ansible's "missing library" message; the library's own
errors are shown as they are (they name the file and line and never hold a secret, as on the command
line); anything else is a bug, reported in one line without a traceback unless ``JITSI_SECURE_DEBUG``
is set.
"""

from __future__ import annotations

import os
import traceback

from ansible.module_utils.basic import missing_required_lib

try:
    from jitsi_secure.errors import JitsiSecureError
except ImportError:
    LIB_IMPORT_ERROR = traceback.format_exc()
    JitsiSecureError = Exception  # only so the except clause below is valid; never reached
else:
    LIB_IMPORT_ERROR = None


def run_module(module, run):
    """Exit ``module`` with the result of ``run(module)``, or fail it with one clear message."""
    if LIB_IMPORT_ERROR is not None:
        module.fail_json(msg=missing_required_lib("jitsi-secure"), exception=LIB_IMPORT_ERROR)
    try:
        module.exit_json(**run(module))
    except JitsiSecureError as error:
        module.fail_json(msg=str(error))
    except Exception as error:  # a bug, but the play still deserves one clear line, not a traceback
        details = {"exception": traceback.format_exc()} if os.environ.get("JITSI_SECURE_DEBUG") else {}
        module.fail_json(
            msg=f"internal error ({type(error).__name__}); please report it (JITSI_SECURE_DEBUG=1 shows details)",
            **details,
        )
