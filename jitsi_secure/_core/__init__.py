"""The format-independent core shared by the four format documents.

Private: the names here are re-exported where they are public (``jitsi_secure``,
``jitsi_secure.formats``). Format modules build on these and on nothing Jitsi-specific.
"""
