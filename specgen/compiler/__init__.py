"""The compiler: load -> validate -> plan -> render -> write (one module per stage)."""
