"""What the compiler hands the runtime: frozen dataclasses and the constants both sides share.

The compiler builds these objects; the generated code constructs them (one
argument per line, through the ``py`` filter) and passes them to the runtime,
which reads attributes, never ``config["a"]["b"]``. A name defined here is
defined nowhere else. This package imports nothing beyond the standard library.
"""
