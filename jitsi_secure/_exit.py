"""The exit statuses of ``jitsi-secure``, in a leaf module so every verb's code can use them without
importing the command line (which imports the verbs). :mod:`jitsi_secure.cli` re-exports them."""

from __future__ import annotations

__all__ = ["EXIT_BROKEN_PIPE", "EXIT_CHANGES_NEEDED", "EXIT_ERROR", "EXIT_OK"]

EXIT_OK = 0
EXIT_CHANGES_NEEDED = 1
EXIT_ERROR = 2
#: What a shell reports for a program killed by SIGPIPE; Python handles the signal, so it says so itself.
EXIT_BROKEN_PIPE = 128 + 13
