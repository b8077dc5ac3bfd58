"""GS1 EPCIS 2.0 and CBV 2.0, pure: identifiers, event hash, streaming reader, validation.

Nothing here touches the database or needs Django settings, so capture, the CLI and
tests share one implementation of the standard.
"""
