"""specgen's runtime library: what generated code and ``specgen validate``/``monitor`` import.

It never imports the compiler, jinja2, click or pydantic (a test enforces this),
so generated suites stay light. Heavy modules (polars, pandas, pandera) are
imported only by the submodules that need them.
"""
